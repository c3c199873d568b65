/**
 * The npm package, as a user on a machine with only Node/npm gets it: `deno task pack` builds the
 * tarball, npm installs it into a temporary prefix (globally) and into a separate project, and the
 * installed `coord` command and library run on SQLite and Redis.
 *
 * @module
 */

import assert from "node:assert/strict";
import { join } from "node:path";
import { sharedRedisUrl } from "./support/shared_servers.ts";

const ROOT = decodeURIComponent(new URL("..", import.meta.url).pathname);
const redisUrl = await sharedRedisUrl("redis");

interface Output {
  code: number;
  stdout: string;
  stderr: string;
}

async function run(
  program: string,
  args: string[],
  options: { cwd?: string; env?: Record<string, string> } = {},
): Promise<Output> {
  const env = Deno.env.toObject();
  for (const name of Object.keys(env)) if (name.startsWith("COORD_")) delete env[name];
  const { code, stdout, stderr } = await new Deno.Command(program, {
    args,
    cwd: options.cwd,
    env: { ...env, NO_COLOR: "1", ...options.env },
    clearEnv: true,
    stdin: "null",
  }).output();
  const text = new TextDecoder();
  return { code, stdout: text.decode(stdout), stderr: text.decode(stderr) };
}

async function ok(program: string, args: string[], options = {}): Promise<string> {
  const out = await run(program, args, options);
  assert.equal(out.code, 0, `${program} ${args.join(" ")} exited ${out.code}:\n${out.stderr}`);
  return out.stdout;
}

let tarball: Promise<string> | undefined;
/** Packs once per test module; both tests install the same tarball. */
function packed(): Promise<string> {
  tarball ??= (async () => {
    const printed = await ok(Deno.execPath(), ["task", "--quiet", "pack"], { cwd: ROOT });
    return join(ROOT, printed.trim().split("\n").at(-1)!);
  })();
  return tarball;
}

/** Puts a `hello` job for `name`, works the queue to its end, and checks the job's result. */
async function helloJob(coord: string, handlers: string, name: string, args: string[]) {
  const put = ["queue", "put", "q", "--handler", "hello", "--args", JSON.stringify({ name })];
  const { job } = JSON.parse(await ok(coord, [...put, "--json", ...args]));
  await ok(coord, ["queue", "work", "q", "--module", handlers, "--drain", ...args]);
  assert.equal(JSON.parse(await ok(coord, ["queue", "wait", job, ...args])), `hi ${name}`);
}

const NPM = ["--no-audit", "--no-fund", "--loglevel", "error"];

Deno.test("npm install -g of the tarball gives a coord command that works on SQLite and Redis", async () => {
  const dir = await Deno.makeTempDir({ prefix: "coord-pack-" });
  try {
    const prefix = join(dir, "prefix");
    await ok("npm", ["install", "-g", "--prefix", prefix, ...NPM, await packed()]);
    const coord = join(prefix, "bin", "coord");
    const env = { XDG_STATE_HOME: join(dir, "state") };
    // What the shipped modules import, not the tools that build, test or benchmark coord.
    const manifest = join(prefix, "lib", "node_modules", "coord", "package.json");
    const { dependencies } = JSON.parse(await Deno.readTextFile(manifest));
    assert.deepEqual(Object.keys(dependencies).sort(), ["@redis/client", "croner", "deno", "pg"]);

    assert.match(await ok(coord, ["--help"], { env }), /^coord \d+\.\d+\.\d+/);
    const sqlite = `sqlite:${join(dir, "coord.db")}`;
    const held = await ok(coord, [
      "lock",
      "r",
      "--url",
      sqlite,
      "--",
      "sh",
      "-c",
      "echo $COORD_TOKEN",
    ]);
    assert.match(held.trim(), /^\d+$/);
    assert.equal((await run(coord, ["barrier", "b", "1", "--url", sqlite])).code, 0);
    // The default backend: a private state file under XDG_STATE_HOME.
    assert.equal((await run(coord, ["lock", "r", "--", "true"], { env })).code, 0);

    // A handler module that imports coord itself, as README's examples do.
    await Deno.writeTextFile(
      join(dir, "handlers.ts"),
      `import { NonRetryableError } from "coord";
export function refuse() { throw new NonRetryableError("no"); }
export function hello(args: { name: string }) { return \`hi \${args.name}\`; }
`,
    );
    const queue = ["--url", sqlite];
    await ok(coord, ["queue", "put", "q", "--handler", "refuse", "--retries", "3", ...queue]);
    await helloJob(coord, join(dir, "handlers.ts"), "npm", queue);
    const refused = await run(coord, ["queue", "show", "q/1", "--json", ...queue]);
    assert.equal(JSON.parse(refused.stdout).attempts, 1, "NonRetryableError from coord honoured");

    if (redisUrl !== undefined) {
      const namespace = `pack${crypto.randomUUID().slice(0, 8)}`;
      const args = ["--url", redisUrl, "--namespace", namespace];
      assert.match(await ok(coord, ["doctor", ...args]), /engine\s+redis/);
      const token = await ok(coord, ["lock", "r", ...args, "--", "sh", "-c", "echo $COORD_TOKEN"]);
      assert.match(token.trim(), /^\d+$/);
      assert.equal((await run(coord, ["barrier", "b", "1", ...args])).code, 0);
      // The queue's steps, each its own script built from the package's includes.
      await helloJob(coord, join(dir, "handlers.ts"), "redis", args);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a Deno project that npm-installs the tarball imports withLock from coord, the backend contract from coord/backend", async () => {
  const dir = await Deno.makeTempDir({ prefix: "coord-pack-project-" });
  try {
    await Deno.writeTextFile(join(dir, "package.json"), "{}\n");
    await ok("npm", ["install", ...NPM, await packed()], { cwd: dir });
    await Deno.writeTextFile(
      join(dir, "app.ts"),
      `import { connect, withLock } from "coord";
import { type LockSteps, MAX_STALLS } from "coord/backend";
await using backend = await connect({ url: Deno.args[0] });
console.log(await withLock(backend, "res", async (held) => held.token));
const steps: LockSteps = backend.lock;
console.error(\`\${(await steps.list()).length} lock(s); a job runs at most \${MAX_STALLS + 1} times\`);
`,
    );
    // Type checking goes through the package's types, so a wrong call would fail here.
    await ok(Deno.execPath(), ["check", "app.ts"], { cwd: dir });
    const sqlite = `sqlite:${join(dir, "coord.db")}`;
    const token = await ok(Deno.execPath(), ["run", "-A", "app.ts", sqlite], { cwd: dir });
    assert.match(token.trim(), /^\d+$/);
    if (redisUrl !== undefined) {
      const onRedis = await ok(Deno.execPath(), ["run", "-A", "app.ts", redisUrl], { cwd: dir });
      assert.match(onRedis.trim(), /^\d+$/);
    }
    // The package's own command works from the project too (npx coord).
    assert.match(await ok(join(dir, "node_modules", ".bin", "coord"), ["--version"]), /\d+\.\d+/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
