/** The layers of STYLE.md that a type check does not keep: who may import whom. */

import assert from "node:assert/strict";

const LIB = new URL("../lib/", import.meta.url);
/** One engine's modules: only lib/backend/ may depend on them. */
const ENGINE_DIRS = ["redis", "sql", "sqlite", "postgres"].map((engine) =>
  new URL(`backend/${engine}/`, LIB).href
);
/** The files under `dir`, at any depth. */
async function* walk(dir: URL): AsyncGenerator<URL> {
  for await (const entry of Deno.readDir(dir)) {
    if (entry.isDirectory) yield* walk(new URL(`${entry.name}/`, dir));
    else if (entry.isFile) yield new URL(entry.name, dir);
  }
}

const SPECIFIER = /(?:\bfrom\s*|\bimport\s*\(\s*)"(\.[^"]+)"/g;

Deno.test("no module of lib/ outside lib/backend/ imports one engine's module", async () => {
  const found: string[] = [];
  for await (const file of walk(LIB)) {
    const { href } = file;
    if (!href.endsWith(".ts") || href.endsWith("_test.ts")) continue;
    if (href.startsWith(new URL("backend/", LIB).href)) continue;
    const text = await Deno.readTextFile(file);
    for (const [, specifier] of text.matchAll(SPECIFIER)) {
      const target = new URL(specifier, file).href;
      if (ENGINE_DIRS.some((dir) => target.startsWith(dir))) {
        found.push(`${file.href.slice(LIB.href.length)} imports ${specifier}`);
      }
    }
  }
  assert.deepEqual(found, [], "move what both need to a module of lib/ both import");
});
