import assert from "node:assert/strict";
import { importModule } from "./module_loader.ts";

Deno.test("importModule() resolves a module's imports with its project's deno.json", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/deno.json`,
      JSON.stringify({ imports: { mylib: "./lib.ts" } }),
    );
    await Deno.writeTextFile(`${dir}/lib.ts`, `export const n = 41;\n`);
    await Deno.writeTextFile(
      `${dir}/handlers.ts`,
      `import { n } from "mylib";\nexport const answer = () => n + 1;\n`,
    );
    const module = await importModule(`${dir}/handlers.ts`);
    assert.equal((module.answer as () => number)(), 42);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("importModule() reports a module its project cannot resolve", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/package.json`, JSON.stringify({ name: "p" }));
    await Deno.writeTextFile(`${dir}/handlers.ts`, `export { x } from "not-installed";\n`);
    await assert.rejects(importModule(`${dir}/handlers.ts`), /not-installed/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
