/**
 * Lua compiles a function of at most 200 locals. A coord script's text runs as the function
 * `step` (script.ts), which holds its own locals and those of every include it expands, and the
 * main chunk holds prelude.lua's: one helper more in an include breaks every script that
 * includes it, and a worker with finish.lua. Each keeps room.
 */

import assert from "node:assert/strict";
import { LuaScript } from "../lib/backend/redis/script.ts";
import { onRedis } from "./support/backends.ts";

/** The locals each script's step, and its main chunk, must have room for beside their own. */
const SPARE_LOCALS = 10;

const SCRIPTS_DIR = new URL("../lib/backend/redis/", import.meta.url);

/** Every script coord runs: the `.lua` files of the scripts' folder and of queue/. */
async function coordScripts(): Promise<URL[]> {
  const scripts = [];
  for (const dir of ["./", "./queue/"].map((path) => new URL(path, SCRIPTS_DIR))) {
    for await (const entry of Deno.readDir(dir)) {
      if (entry.isFile && entry.name.endsWith(".lua") && entry.name !== "prelude.lua") {
        scripts.push(new URL(entry.name, dir));
      }
    }
  }
  return scripts;
}

/** Where a script's text runs as the function `step` (script.ts), whose locals are its own. */
const STEP_HEAD = "local function step()\n";

onRedis(
  `every coord script compiles with ${SPARE_LOCALS} locals more than it has, in its step and at its top`,
  async (backend) => {
    const spare = Array.from({ length: SPARE_LOCALS }, (_, i) => `local spare_${i} = ${i}\n`)
      .join("");
    const failed = [];
    const scripts = await coordScripts();
    assert.ok(scripts.length >= 20, "the scripts were not found");
    for (const url of scripts) {
      const script = await LuaScript.load(url);
      assert.ok(script.source.includes(STEP_HEAD), `${script.file} runs as no step`);
      const key = backend.key("queue", "spare", "config");
      // The script the server compiles, grown: its step (the script's own lines and its
      // includes'), and the main chunk (the prelude's, which every script holds).
      const grown = {
        step: script.source.replace(STEP_HEAD, STEP_HEAD + spare),
        top: spare + script.source,
      };
      for (const [where, source] of Object.entries(grown)) {
        try {
          await backend.conn.send(key, ["SCRIPT", "LOAD", source]);
        } catch (e) {
          failed.push(`${script.file} (${where}): ${(e as Error).message}`);
        }
      }
    }
    assert.deepEqual(failed, []);
  },
);
