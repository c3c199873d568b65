/**
 * Lua compiles a function of at most 200 locals, and a coord script's main function holds its
 * own and those of every include it expands (prelude.lua's too): one helper more in an include
 * breaks every script that includes it, and a worker with finish.lua. Each script keeps room.
 */

import assert from "node:assert/strict";
import { LuaScript } from "../lib/backend/redis/script.ts";
import { onRedis } from "./support/backends.ts";

/** The top-level locals each script must have room for beside its own. */
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

onRedis(
  `every coord script compiles with ${SPARE_LOCALS} top-level locals more than it has`,
  async (backend) => {
    const spare = Array.from({ length: SPARE_LOCALS }, (_, i) => `local spare_${i} = ${i}\n`);
    const failed = [];
    const scripts = await coordScripts();
    assert.ok(scripts.length >= 20, "the scripts were not found");
    for (const url of scripts) {
      const script = await LuaScript.load(url);
      const key = backend.key("queue", "spare", "config");
      try {
        // The locals before its own: the script the server compiles, grown.
        await backend.conn.send(key, ["SCRIPT", "LOAD", spare.join("") + script.source]);
      } catch (e) {
        failed.push(`${script.file}: ${(e as Error).message}`);
      }
    }
    assert.deepEqual(failed, []);
  },
);
