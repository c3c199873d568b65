/**
 * A tenant's ACL user, as README's "Tenants" section sets it up, on a private redis-server:
 * every command works for it, and it cannot list other tenants' key names.
 */

import assert from "node:assert/strict";
import { redisServerAvailable, startStandalone } from "./support/redis_servers.ts";
import { redisCommand } from "./support/resp.ts";
import { type CoordProcess, type CoordResult, runCoord, spawnCoord } from "./support/cli.ts";

const README = new URL("../README.md", import.meta.url);

/** README's `ACL SETUSER team-a …` line, as arguments. */
async function readmeAcl(): Promise<string[]> {
  const line = (await Deno.readTextFile(README)).split("\n").find((l) =>
    l.startsWith("ACL SETUSER team-a ")
  );
  assert.ok(line, "README shows an ACL SETUSER line for team-a");
  return line.split(/\s+/);
}

/** A standalone server with README's tenant user, and the environment that logs in as it. */
async function tenantServer() {
  const server = await startStandalone();
  const reply = await redisCommand(server.port, ...await readmeAcl());
  assert.equal(reply, "+OK\r\n");
  const env = {
    COORD_URL: `redis://team-a:secret@127.0.0.1:${server.port}`,
    COORD_NAMESPACE: "team-a",
  };
  return { server, env, [Symbol.asyncDispose]: () => server.stop() };
}

/** A process's result, killing it first if it still runs. */
function stopped(process: CoordProcess): Promise<CoordResult> {
  try {
    process.kill("SIGKILL");
  } catch {
    // It ended on its own.
  }
  return process.result;
}

Deno.test({
  name: "README's tenant ACL user runs every command, and the ACL denies it SCAN",
  ignore: !redisServerAvailable(),
  async fn() {
    await using tenant = await tenantServer();
    const { env, server } = tenant;
    const coord = async (...args: string[]) => {
      const r = await runCoord(args, { env });
      assert.equal(r.code, 0, `coord ${args.join(" ")}: ${r.stderr}`);
      return r;
    };
    const follow = spawnCoord(["turn", "follow"], { env });
    try {
      await coord("lock", "run", "deploy", "--", "true");
      assert.match((await coord("turn", "status")).stdout, /^deploy +\d+$/m);
      // follow without RES subscribes to the namespace's pattern; it hears a later queue. It
      // prints nothing once listening, so probe until it hears one (the bound: a hang guard).
      let heard = false;
      let ended = false;
      follow.result.then(() => (ended = true));
      for (let probes = 0; !heard && !ended && probes < 60; probes++) {
        await coord("lock", "run", "probe", "--", "true");
        heard = await follow.stdoutLine(/^probe: \d+ completed/, 500).then(() => true, () => false);
      }
      assert.ok(heard, `turn follow heard no event: ${(await stopped(follow)).stderr}`);
      await coord("barrier", "ready", "1");
      await coord("queue", "put", "jobs", "--", "true");
      await coord("queue", "work", "jobs", "--allow-commands", "--drain");
      assert.match((await coord("queue", "status")).stdout, /^jobs +0 +0 +0 +0 +1 /m);
      await coord("schedule", "status");
      const doctor = await coord("doctor");
      assert.match(doctor.stdout, /acl denies INFO and SCAN/);
      assert.match(doctor.stdout, /^foreign +none$/m);
    } finally {
      await stopped(follow);
    }
    assert.match(
      await redisCommand(server.port, "ACL", "DRYRUN", "team-a", "SCAN", "0"),
      /no permissions to run the 'scan' command/,
    );
  },
});

Deno.test({
  name: "doctor as a tenant checks the keys of indexed instances without SCAN",
  ignore: !redisServerAvailable(),
  async fn() {
    await using tenant = await tenantServer();
    const { env, server } = tenant;
    assert.equal((await runCoord(["lock", "run", "db", "--", "true"], { env })).code, 0);
    const planted = "team-a:{lock:db}:queue";
    await redisCommand(server.port, "SET", planted, "not coord's");
    const doctor = await runCoord(["doctor"], { env });
    assert.equal(doctor.code, 0, doctor.stderr);
    assert.match(doctor.stdout, /^foreign +1 key$/m);
    assert.ok(
      doctor.stdout.includes(`\n  ${planted}: type string, coord writes a zset here\n`),
      doctor.stdout,
    );
  },
});

/**
 * Runs coord as `user` on a private server and returns its result, killed if it outlives
 * `guardMs`: a hang guard well under the outage limit coord would sit out before giving up.
 */
async function refusedRun(port: number, user: string, args: string[], guardMs: number) {
  const process = spawnCoord(args, {
    env: { COORD_URL: `redis://${user}:secret@127.0.0.1:${port}`, COORD_NAMESPACE: "acl" },
  });
  const guard = setTimeout(() => stopped(process), guardMs);
  const result = await process.result;
  clearTimeout(guard);
  return result;
}

/** Longer than the hang guard below: a refusal taken for an outage would be sat out this long. */
const LOCK_EXPIRE_S = "120";

/**
 * ACL users that lack a command coord needs, and what each then runs: one may not run scripts
 * (`NOPERM` on EVALSHA), one may not run PUBLISH, which Redis words as a script error, one may
 * not SUBSCRIBE. queue wait's outage limit is 60 s; lock run's is its --expire. ui is refused
 * once it has started its re-read timer, which it must stop to exit.
 */
const REFUSALS: { user: string; denied: string[]; args: string[] }[] = [
  {
    user: "noscript",
    denied: ["-evalsha", "-eval"],
    args: ["queue", "wait", "jobs/j1", "--timeout", "600"],
  },
  {
    user: "noscript",
    denied: ["-evalsha", "-eval"],
    args: ["lock", "run", "db", "--expire", LOCK_EXPIRE_S, "--wait", "600", "--", "true"],
  },
  {
    user: "nopublish",
    denied: ["-publish"],
    args: ["lock", "run", "db", "--expire", LOCK_EXPIRE_S, "--wait", "600", "--", "true"],
  },
  {
    user: "nosubscribe",
    denied: ["-subscribe", "-psubscribe", "-ssubscribe"],
    args: ["ui", "--listen", "127.0.0.1:0"],
  },
];

Deno.test({
  name: "an ACL denial is no outage: lock run, queue wait and ui exit 69 at once, with one line",
  ignore: !redisServerAvailable(),
  async fn() {
    const server = await startStandalone();
    try {
      const plain = { COORD_URL: `redis://127.0.0.1:${server.port}`, COORD_NAMESPACE: "acl" };
      const put = await runCoord(["queue", "put", "jobs", "--id", "j1", "--", "true"], {
        env: plain,
      });
      assert.equal(put.code, 0, put.stderr);
      for (const { user, denied, args } of REFUSALS) {
        const acl = ["ACL", "SETUSER", user, "on", ">secret", "~*", "&*", "+@all", ...denied];
        assert.equal(await redisCommand(server.port, ...acl), "+OK\r\n");
        const r = await refusedRun(server.port, user, args, 30_000);
        const what = `${user}: coord ${args.join(" ")}`;
        assert.equal(r.code, 69, `${what}: ${r.signal} ${r.stderr}`);
        assert.match(
          r.stderr,
          /^coord: redis:\/\/\S+ refused by its ACL: .+ — the ACL user needs coord's commands, .*\(README: Tenants\)\n$/,
          what,
        );
        assert.ok(!r.stderr.includes("secret"), r.stderr);
      }
    } finally {
      await server.stop();
    }
  },
});
