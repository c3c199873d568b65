/** The SQLite file held by another process: waiting steps retry instead of failing. */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { barrier } from "../lib/barrier/barrier.ts";
import { tempSqlite } from "./support/temp.ts";

/** Another process that takes the file's write lock, says so, and keeps it for `holdMs`. */
async function holdWriteLock(path: string, holdMs: number) {
  const child = new Deno.Command(Deno.execPath(), {
    args: [
      "eval",
      `import { DatabaseSync } from "node:sqlite";
       const db = new DatabaseSync(${JSON.stringify(path)});
       db.exec("BEGIN IMMEDIATE");
       console.log("locked");
       setTimeout(() => db.exec("COMMIT"), ${holdMs});`,
    ],
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.getReader();
  await reader.read(); // "locked"
  reader.releaseLock();
  return child;
}

Deno.test("a barrier step retries while another process holds the SQLite write lock", async () => {
  await using db = await tempSqlite();
  const path = db.url.slice("sqlite:".length);
  await using backend = await connect({ url: db.url, env: {} });
  const holder = await holdWriteLock(path, 2500);
  const started = performance.now();
  const result = await barrier(backend, "busy", 1, { delayMs: 0, toleranceMs: Infinity });
  assert.equal(result.generation, 1);
  assert.ok(performance.now() - started >= 1000, "it did wait for the lock");
  await holder.output();
});
