/** Each SQL backend module can be imported on its own (no module is read before it exists). */

import assert from "node:assert/strict";

const MODULES = [
  "sqlite/sql_store",
  "sqlite/backend",
  "sql/barrier",
  "sql/lock",
  "sql/schedule",
  "sql/queue",
  "postgres/backend",
];

for (const module of MODULES) {
  Deno.test(`lib/backend/${module}.ts imports on its own`, async () => {
    // A fresh process: in this one, another test may have loaded the modules in a good order.
    const url = new URL(`../lib/backend/${module}.ts`, import.meta.url).href;
    const { code, stderr } = await new Deno.Command(Deno.execPath(), {
      args: ["eval", `await import(${JSON.stringify(url)})`],
      stdout: "null",
      stderr: "piped",
    }).output();
    assert.equal(code, 0, new TextDecoder().decode(stderr));
  });
}
