import assert from "node:assert/strict";
import { join } from "node:path";
import { LuaScript } from "./script.ts";

Deno.test("LuaScript.load reads a script and its includes from an http URL, as when coord is imported from JSR", async () => {
  const here = new URL("./", import.meta.url);
  await using server = Deno.serve(
    { hostname: "127.0.0.1", port: 0, onListen() {} },
    async (request) => {
      const path = new URL(request.url).pathname;
      if (!path.startsWith("/lib/backend/redis/")) return new Response("", { status: 404 });
      const file = new URL(path.slice("/lib/backend/redis/".length), here);
      return await Deno.readTextFile(file).then(
        (text) => new Response(text),
        () => new Response("not found", { status: 404 }),
      );
    },
  );
  const base = `http://127.0.0.1:${server.addr.port}/lib/backend/redis/`;
  const schedule = await LuaScript.load(new URL("schedule.lua", base));
  assert.ok(schedule.source.includes(await Deno.readTextFile(new URL("schedule.lua", here))));
  const lock = await LuaScript.load(new URL("lock.lua", base));
  assert.match(lock.source, /local function foreign_field\(/);
  assert.doesNotMatch(lock.source, /@include/);
  const finish = await LuaScript.load(new URL("queue/finish.lua", base));
  assert.match(finish.source, /local function take\(/);
  assert.doesNotMatch(finish.source, /@include/);
  await assert.rejects(LuaScript.load(new URL("missing.lua", base)), /HTTP 404/);
});

/** Writes `files` (name → text) into a temporary directory; returns its URL. */
async function scripts(files: Record<string, string>): Promise<URL> {
  const dir = await Deno.makeTempDir({ prefix: "coord-lua-" });
  for (const [name, text] of Object.entries(files)) {
    await Deno.mkdir(join(dir, name, ".."), { recursive: true });
    await Deno.writeTextFile(join(dir, name), text);
  }
  return new URL(`file://${dir}/`);
}

Deno.test("LuaScript.load puts each include, relative to its file, before what uses it, once", async () => {
  const dir = await scripts({
    "step.lua": '--- @include "lib/b.lua"\n--- @include "lib/a.lua"\nreturn b()\n',
    "lib/a.lua": "local function a() return 1 end\n",
    "lib/b.lua": '--- @include "a.lua"\nlocal function b() return a() end\n',
  });
  try {
    const { source } = await LuaScript.load(new URL("step.lua", dir));
    const body = source.slice(source.indexOf("local function step()"));
    // Run as a function, whose reply the prelude sees (prelude.lua, `indexed`).
    assert.equal(
      body,
      "local function step()\nlocal function a() return 1 end\n\nlocal function b() return a() " +
        "end\n\n\nreturn b()\n\nend\nreturn indexed(step())",
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LuaScript.load refuses includes that include each other, and names a missing one", async () => {
  const dir = await scripts({
    "a.lua": '--- @include "b.lua"\n',
    "b.lua": '--- @include "a.lua"\n',
    "c.lua": '--- @include "gone.lua"\n',
    "d.lua": '--- @include "d.lua"\n',
  });
  try {
    await assert.rejects(LuaScript.load(new URL("a.lua", dir)), /b\.lua includes .*a\.lua/);
    await assert.rejects(LuaScript.load(new URL("d.lua", dir)), /d\.lua includes .*d\.lua/);
    await assert.rejects(LuaScript.load(new URL("c.lua", dir)), /gone\.lua/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LuaScript.locate names the source file and line of every place Redis's error names a line of the expanded script", async () => {
  const script = await LuaScript.load(new URL("./queue/finish.lua", import.meta.url));
  const line = script.source.split("\n").findIndex((text) => text.startsWith("local function")) +
    1;
  const at = script.locate(`user_script:${line}:`).slice(0, -1);
  assert.match(at, /^[a-z_/]+\.lua:\d+$/);
  assert.equal(
    script.locate(
      `user_script:${line}: attempt to index a nil value script: x, on @user_script:${line}.`,
    ),
    `${at}: attempt to index a nil value script: x, on @${at}.`,
  );
  assert.equal(
    script.locate(`Unknown Redis command called from script script: x, on @user_script:${line}.`),
    `Unknown Redis command called from script script: x, on @${at}.`,
  );
  // Where the compiler names the function the step's text runs as, the file is named.
  const step = script.source.split("\n").indexOf("local function step()") + 1;
  assert.equal(
    script.locate(`function at line ${step} has more than 200 local variables`),
    "function at queue/finish.lua has more than 200 local variables",
  );
});
