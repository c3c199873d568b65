import assert from "node:assert/strict";
import { QUEUE_STEPS } from "./queue.ts";
import { LuaScript } from "./script.ts";

const DIR = new URL("./queue/", import.meta.url);

Deno.test("each queue step has its script in queue/, and each script there is a step", async () => {
  const files = [];
  for await (const entry of Deno.readDir(DIR)) {
    if (entry.isFile && entry.name.endsWith(".lua")) files.push(entry.name.slice(0, -4));
  }
  assert.deepEqual(files.sort(), [...QUEUE_STEPS].sort());
});

Deno.test("each queue step's script loads with its includes, each defined once", async () => {
  for (const step of QUEUE_STEPS) {
    const { source } = await LuaScript.load(new URL(`${step}.lua`, DIR));
    assert.doesNotMatch(source, /@include/, step);
    assert.equal(source.match(/^local call = /gm)?.length, 1, step);
  }
});
