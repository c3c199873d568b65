/**
 * `deno task bundle-redis`: rebuilds `lib/backend/redis/vendor/redis_client.js`, node-redis's
 * `@redis/client` (the version deno.lock holds) bundled into one ES module. With `--check` it
 * builds the same file in memory and exits 1 when the committed one differs — stale after an
 * upgrade of the lock, or edited by hand; `deno task check` runs that.
 *
 * Why a bundle: `@redis/client` is CommonJS, ≈ 490 files that Deno loads one by one through its
 * CommonJS loader, without its code cache, on every Redis command's start (≈ 160 ms here). One
 * ES module file is loaded once and cached compiled. Two changes make it start faster still,
 * neither a feature coord uses:
 *
 * - Node's built-in modules are imported statically at the top (`node:net` …) and handed to the
 *   bundled `require()` calls, so no CommonJS loader (`createRequire`) is created at all.
 * - The command table keeps only the commands node-redis calls by name itself (handshake,
 *   cluster topology). node-redis turns every table entry into a client method, twice (client
 *   and MULTI), when the first client is made: ≈ 45 ms for ≈ 900 methods coord never calls — it
 *   sends every command through `sendCommand`.
 *
 * @example
 * ```sh
 * deno task bundle-redis          # after upgrading @redis/client in deno.json / deno.lock
 * deno run -A scripts/bundle_redis_client.ts --check
 * ```
 *
 * @module
 */

import * as esbuild from "esbuild";
import { builtinModules } from "node:module";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
/** The bundle, relative to the project root. */
export const BUNDLE = "lib/backend/redis/vendor/redis_client.js";
/** What conn.ts takes from the package; nothing else is reachable from the bundle. */
const EXPORTS = ["createClient", "createCluster", "createSentinel", "ErrorReply"];
/**
 * The commands node-redis itself calls by name (`commands.AUTH`, `client.clusterSlots()` …),
 * found by searching its `lib/` outside `commands/`; a missing one fails the cluster or
 * sentinel conformance tests at connect.
 */
const KEPT_COMMANDS = ["AUTH", "CLIENT_SETNAME", "READONLY", "CLUSTER_SLOTS"];
/** Optional peer dependencies, loaded by node-redis only for features coord does not use. */
const OPTIONAL = ["@opentelemetry/api", "@node-rs/xxhash"];

const BUILTINS = new Set(builtinModules.flatMap((name) => [name, `node:${name}`]));

/**
 * The locked package's directory and version, as Deno resolves `@redis/client`.
 *
 * @example
 * ```ts ignore
 * const { version } = await lockedPackage(); // "6.3.1"
 * ```
 */
export async function lockedPackage(): Promise<{ dir: string; version: string }> {
  const resolved = import.meta.resolve("@redis/client");
  if (!resolved.startsWith("file:")) {
    throw new Error(`@redis/client is not in Deno's cache (${resolved}) — run: deno install`);
  }
  const entry = fileURLToPath(resolved);
  const dir = dirname(dirname(entry));
  const { name, version } = JSON.parse(await Deno.readTextFile(join(dir, "package.json")));
  if (name !== "@redis/client") throw new Error(`${dir} holds ${name}, not @redis/client`);
  return { dir, version };
}

/** `commands/index.js` cut down to {@link KEPT_COMMANDS}, each under both of its names. */
function keptCommandTable(original: string): string {
  const camel = (name: string) =>
    name.toLowerCase().replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
  for (const name of KEPT_COMMANDS) {
    if (!original.includes(`${name}: ${name}_1.default`)) {
      throw new Error(`@redis/client's command table has no ${name}: update KEPT_COMMANDS`);
    }
  }
  return [
    `"use strict";`,
    `Object.defineProperty(exports, "__esModule", { value: true });`,
    ...KEPT_COMMANDS.map((name) => `const ${name}_1 = require("./${name}");`),
    `exports.default = {`,
    ...KEPT_COMMANDS.map((name) =>
      `  ${name}: ${name}_1.default, ${camel(name)}: ${name}_1.default,`
    ),
    `};`,
    // The cluster's table: the same, as no kept command needs a sticky connection.
    `exports.NON_STICKY_COMMANDS = exports.default;`,
  ].join("\n");
}

/** Options of {@link buildBundle}. */
export interface BuildOptions {
  /** Keep node-redis's whole command table (for `bench/startup.ts` to compare); default false. */
  allCommands?: boolean;
}

/**
 * Builds the bundle's text from the package in `dir` (the caller stops esbuild's service).
 *
 * @example
 * ```ts ignore
 * const { dir, version } = await lockedPackage();
 * await Deno.writeTextFile("redis_client.js", await buildBundle(dir, version));
 * ```
 */
export async function buildBundle(
  dir: string,
  version: string,
  { allCommands = false }: BuildOptions = {},
): Promise<string> {
  const builtins = new Set<string>();
  const plugin: esbuild.Plugin = {
    name: "coord-redis-client",
    setup(build) {
      build.onResolve({ filter: /.*/ }, ({ path }) => {
        if (OPTIONAL.includes(path)) return { path, namespace: "optional" };
        if (!BUILTINS.has(path)) return undefined;
        builtins.add(path);
        return { path, external: true };
      });
      // As when the package is not installed: node-redis catches this where it loads one.
      build.onLoad({ filter: /.*/, namespace: "optional" }, ({ path }) => ({
        contents: `throw new Error(${JSON.stringify(`${path} is not bundled`)});`,
        loader: "js",
      }));
      if (allCommands) return;
      build.onLoad({ filter: /[\\/]dist[\\/]lib[\\/]commands[\\/]index\.js$/ }, async (args) => ({
        contents: keptCommandTable(await Deno.readTextFile(args.path)),
        loader: "js",
      }));
    },
  };
  const result = await esbuild.build({
    stdin: {
      contents: `import * as redis from "./dist/index.js";\n` +
        `export const { ${EXPORTS.join(", ")} } = redis;\n`,
      resolveDir: dir,
      loader: "js",
    },
    // Paths in the bundle's comments are relative to the package, the same on every machine.
    absWorkingDir: dir,
    bundle: true,
    format: "esm",
    platform: "node",
    target: "es2022",
    plugins: [plugin],
    write: false,
    logLevel: "error",
    legalComments: "inline",
  });
  // esbuild turns `require("node:net")` into a call of a `require` it expects to find in scope:
  // give it one that returns the modules imported statically here.
  const names = [...builtins].sort();
  const header = [
    `// @ts-self-types="./redis_client.d.ts"`,
    `// @redis/client ${version} (MIT, https://github.com/redis/node-redis), bundled into one`,
    `// ES module by scripts/bundle_redis_client.ts${
      allCommands ? "" : " with a reduced command table"
    }. Generated: do`,
    `// not edit; \`deno task bundle-redis\` rebuilds it, \`deno task check\` checks it.`,
    ...names.map((name, i) => `import builtin${i} from "${name.replace(/^(node:)?/, "node:")}";`),
    `const builtins = { ${
      names.map((name, i) => `${JSON.stringify(name)}: builtin${i}`).join(", ")
    } };`,
    `const require = (id) => {`,
    `  if (!Object.hasOwn(builtins, id)) throw new Error(\`\${id} is not bundled\`);`,
    `  return builtins[id];`,
    `};`,
  ].join("\n");
  return `${header}\n${result.outputFiles[0].text}`;
}

async function main(check: boolean): Promise<number> {
  const { dir, version } = await lockedPackage();
  let text: string;
  try {
    text = await buildBundle(dir, version);
  } finally {
    await esbuild.stop();
  }
  const path = join(ROOT, BUNDLE);
  if (!check) {
    await Deno.writeTextFile(path, text);
    console.error(`${BUNDLE}: @redis/client ${version}, ${text.length} bytes`);
    return 0;
  }
  const committed = await Deno.readTextFile(path).catch(() => "");
  if (committed === text) return 0;
  const built = /^\/\/ @redis\/client (\S+)/m.exec(committed)?.[1];
  const why = built === version
    ? `differs from what this script builds from @redis/client ${version} (edited by hand?)`
    : `holds @redis/client ${built ?? "nothing"}, deno.lock has ${version}`;
  console.error(`${BUNDLE} ${why} — run: deno task bundle-redis`);
  return 1;
}

if (import.meta.main) Deno.exitCode = await main(Deno.args.includes("--check"));
