import assert from "node:assert/strict";
import { bundlerEnv, importModule } from "./module_loader.ts";

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

Deno.test("the bundler of a project's module gets no password of coord's environment", () => {
  const names = ["COORD_URL", "COORD_PASSWORD", "PGPASSWORD", "COORD_NAMESPACE"];
  const before = names.map((name) => Deno.env.get(name));
  try {
    for (const name of names) Deno.env.set(name, "s3cret");
    const env = bundlerEnv();
    assert.deepEqual(names.filter((name) => name in env), []);
    assert.equal(env.NO_COLOR, "1");
  } finally {
    names.forEach((name, i) =>
      before[i] === undefined ? Deno.env.delete(name) : Deno.env.set(name, before[i]!)
    );
  }
});
