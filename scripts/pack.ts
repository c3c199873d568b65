/**
 * `deno task pack`: builds `dist/coord-<version>.tgz`, an npm package of the CLI and the library
 * that needs only Node/npm to install. Deno refuses to strip types under `node_modules`, so every
 * module is transpiled to JavaScript one file to one file (the lazy imports that keep start-up
 * fast stay lazy, and the Lua scripts stay beside the modules that read them), with the
 * TypeScript sources beside as the package's types; Deno itself comes
 * from npm as a dependency, and `bin/coord` is a `#!/bin/sh` script that execs it.
 *
 * @example
 * ```sh
 * deno task pack && npm install -g ./dist/coord-0.1.0.tgz && coord --help
 * ```
 *
 * @module
 */

import * as esbuild from "esbuild";
import { basename, dirname, join, relative } from "node:path";
import config from "../deno.json" with { type: "json" };

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);
/** What the package holds: the CLI's entry point, its commands and the library. */
const SOURCES = ["main.ts", "commands", "lib"];
const DOCS = ["README.md", "LICENSE"];
/** The runtime the package runs on: the version CI tests with. */
const DENO_VERSION = "2.9.6";

/** The npm package name: `import … from "coord"` in a project that installed the tarball. */
const PACKAGE_NAME = "coord";

const BIN = `#!/bin/sh
# coord's command: runs the package's main.js on the deno that npm installed with it.
self=$(readlink -f "$0")
pkg=$(dirname "$(dirname "$self")")
# npm puts deno in the package's own node_modules or hoists it beside the package; its
# postinstall links the binary into deno/, and when install scripts are not allowed the binary
# stays in its platform package under @deno/.
for deno in "$pkg/node_modules/deno/deno" "$pkg/../deno/deno" "$pkg"/node_modules/@deno/*/deno \\
  "$pkg"/../@deno/*/deno; do
  if [ -x "$deno" ]; then exec "$deno" run -A --quiet --config "$pkg/deno.json" "$pkg/main.js" "$@"; fi
done
if command -v deno >/dev/null 2>&1; then
  exec deno run -A --quiet --config "$pkg/deno.json" "$pkg/main.js" "$@"
fi
echo "coord: no deno runtime found in $pkg/node_modules or on PATH — reinstall coord with npm" >&2
exit 69
`;

/**
 * The package's `dependencies`: Deno, and the `npm:` entries of deno.json's import map that the
 * shipped modules import — not the tools that only build, test or benchmark coord.
 */
function dependencies(imported: Set<string>): Record<string, string> {
  const deps: Record<string, string> = { deno: DENO_VERSION };
  for (const [name, specifier] of Object.entries(config.imports)) {
    const match = /^npm:((?:@[^/]+\/)?[^@]+)@(.+)$/.exec(specifier);
    if (match && imported.has(name)) deps[match[1]] = match[2];
  }
  return deps;
}

/** The bare specifiers (import-map names) a module imports, statically or lazily. */
function bareImports(source: string): string[] {
  const found = source.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*)(["'])([^"'./][^"']*)\1/g);
  return [...found].map((m) => m[2]).filter((name) => !/^(node|npm|jsr|https?):/.test(name));
}

async function* sourceFiles(path: string): AsyncGenerator<string> {
  const info = await Deno.stat(join(ROOT, path));
  if (info.isFile) {
    yield path;
    return;
  }
  for await (const entry of Deno.readDir(join(ROOT, path))) {
    yield* sourceFiles(join(path, entry.name));
  }
}

/** TypeScript → JavaScript, relative `.ts` specifiers rewritten to the `.js` files beside. */
async function transpile(source: string): Promise<string> {
  const { code } = await esbuild.transform(source, { loader: "ts", format: "esm" });
  return code.replace(/(["'])(\.{1,2}\/[^"']+)\.ts\1/g, "$1$2.js$1");
}

async function writeFile(path: string, data: string, mode = 0o644): Promise<void> {
  await Deno.mkdir(dirname(path), { recursive: true });
  await Deno.writeTextFile(path, data, { mode });
}

async function build(out: string): Promise<void> {
  const imported = new Set<string>();
  for (const source of SOURCES) {
    for await (const path of sourceFiles(source)) {
      const text = await Deno.readTextFile(join(ROOT, path));
      if (path.endsWith("_test.ts")) continue;
      for (const name of bareImports(text)) imported.add(name);
      // The TypeScript sources go along as the package's types.
      await writeFile(join(out, path), text);
      // A declaration file (the bundled Redis client's types) has no JavaScript to go with it.
      if (path.endsWith(".ts") && !path.endsWith(".d.ts")) {
        await writeFile(join(out, path.replace(/\.ts$/, ".js")), await transpile(text));
      }
    }
  }
  // version.ts reads deno.json's version; "manual" makes Deno resolve the npm dependencies from
  // the node_modules npm made, as Node would, instead of downloading them again; "coord" lets
  // the task and handler modules the CLI loads import coord itself, as from a checkout.
  const denoConfig = {
    version: config.version,
    nodeModulesDir: "manual",
    imports: { coord: "./lib/mod.js" },
  };
  await writeFile(join(out, "deno.json"), JSON.stringify(denoConfig) + "\n");
  for (const doc of DOCS) await writeFile(join(out, doc), await Deno.readTextFile(join(ROOT, doc)));
  await writeFile(join(out, "bin", "coord"), BIN, 0o755);
  const manifest = {
    name: PACKAGE_NAME,
    version: config.version,
    description:
      "Barriers, fair locks, schedules and a job queue for shell scripts and services, " +
      "over Redis, PostgreSQL or an embedded SQLite file",
    license: config.license,
    type: "module",
    bin: { coord: "bin/coord" },
    exports: {
      ".": { types: "./lib/mod.ts", default: "./lib/mod.js" },
      "./backend": { types: "./lib/backend/mod.ts", default: "./lib/backend/mod.js" },
    },
    engines: { node: ">=18" },
    dependencies: dependencies(imported),
  };
  await writeFile(join(out, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
}

async function main(): Promise<number> {
  const dist = join(ROOT, "dist");
  const out = join(dist, "package");
  await Deno.remove(out, { recursive: true }).catch(() => {});
  try {
    await build(out);
  } finally {
    await esbuild.stop();
  }
  const { code, stdout } = await new Deno.Command("npm", {
    args: ["pack", "--silent", "--pack-destination", dist, out],
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (code !== 0) return code;
  const tarball = join(dist, new TextDecoder().decode(stdout).trim().split("\n").at(-1)!);
  console.log(relative(Deno.cwd(), tarball) || basename(tarball));
  return 0;
}

if (import.meta.main) Deno.exitCode = await main();
