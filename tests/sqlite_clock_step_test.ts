/**
 * A step of the wall clock must not move SQLite's leases and due times: a process seeing the
 * clock 90 s (or 30 s) away, as libfaketime shows it to just that process, judges them like
 * the others.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import type { Backend } from "../lib/backend/types.ts";
import { spawnCoord } from "./support/cli.ts";

const FAKETIME_LIB = [
  "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1",
  "/usr/lib/aarch64-linux-gnu/faketime/libfaketime.so.1",
  "/usr/lib/faketime/libfaketime.so.1",
  "/usr/local/lib/faketime/libfaketime.so.1",
].find((path) => {
  try {
    return Deno.statSync(path).isFile;
  } catch {
    return false;
  }
});

/**
 * The environment that shows a process the clock `offset` away. NO_FAKE_STAT: libfaketime
 * 0.9.10 also fakes file times, behind a semaphore its exit handler unmaps while Deno's other
 * threads may still call fstat — one run in twenty of a coord command then died of SIGSEGV as
 * it exited (core: `lock_for_stat` under `__fxstat64`). Only the clock matters here.
 */
async function clockAway(offset: string): Promise<Record<string, string>> {
  const env = { LD_PRELOAD: FAKETIME_LIB!, FAKETIME: offset, NO_FAKE_STAT: "1" };
  // The test would pass by accident were the clock not stepped: a Deno process must see it so.
  const { stdout } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "console.log(Date.now())"],
    env,
  }).output();
  const awayS = (Number(new TextDecoder().decode(stdout)) - Date.now()) / 1000;
  const wantedS = Number(offset.replace(/s$/, ""));
  assert.ok(Math.abs(awayS - wantedS) < 10, `${offset} shows as ${awayS} s`);
  return env;
}

/** Resolves once `resource` has handed out `tickets` tickets. */
async function ticketsIssued(backend: Backend, resource: string, tickets: number) {
  await using watcher = await backend.watch({ kind: "lock", name: resource });
  const guard = performance.now() + 15_000;
  while (((await backend.lock.status(resource))?.tickets ?? 0) < tickets) {
    assert.ok(performance.now() < guard, `${resource}: no ticket ${tickets} within 15 s`);
    await watcher.next(100);
  }
}

for (
  const { stepped, offset } of [
    { stepped: "the waiter", offset: "+90s" },
    { stepped: "the holder", offset: "-90s" },
  ]
) {
  Deno.test({
    name: `a lock is held to its end when ${stepped}'s clock is ${offset} away`,
    ignore: FAKETIME_LIB === undefined || Deno.build.os !== "linux",
    async fn() {
      const dir = await Deno.makeTempDir();
      try {
        const url = `sqlite:${dir}/coord.db`;
        const away = await clockAway(offset);
        const env = (isStepped: boolean) => ({ COORD_URL: url, ...(isStepped ? away : {}) });
        const holder = spawnCoord([
          "lock",
          "run",
          "step",
          "--expire",
          "3",
          "--",
          "sh",
          "-c",
          `echo held >&2; while [ ! -e ${dir}/go ]; do sleep 0.05; done`,
        ], { env: env(stepped === "the holder") });
        await holder.stderrLine(/^held$/);
        const waiter = spawnCoord(["lock", "run", "step", "--", "echo", "second"], {
          env: env(stepped === "the waiter"),
        });
        await using backend = await connect({ url, env: {} });
        await ticketsIssued(backend, "step", 2);
        const { users } = (await backend.lock.status("step"))!;
        assert.deepEqual(
          users.map((u) => ({ ticket: u.ticket, granted: u.grantedAt !== undefined })),
          [{ ticket: 1, granted: true }, { ticket: 2, granted: false }],
          "the holder keeps the lock and the waiter waits",
        );
        await Deno.writeTextFile(`${dir}/go`, "");
        const [held, waited] = await Promise.all([holder.result, waiter.result]);
        assert.equal(held.code, 0, held.stderr);
        assert.equal(waited.code, 0, waited.stderr);
        assert.equal(waited.stdout, "second\n");
      } finally {
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

Deno.test({
  name: "a 1-s schedule goes on when the next instance's clock is 30 s behind",
  ignore: FAKETIME_LIB === undefined || Deno.build.os !== "linux",
  async fn() {
    const dir = await Deno.makeTempDir();
    try {
      await Deno.writeTextFile(`${dir}/jobs.cron`, "@every 1s echo tick\n");
      const args = ["schedule", "run", `${dir}/jobs.cron`, "--url", `sqlite:${dir}/coord.db`];
      const first = spawnCoord(args);
      await first.stdoutLine(/tick/);
      first.kill("SIGTERM");
      await first.result;
      // Its stored next tick lies 30 s ahead by this one's clock: judged by that clock, it
      // would wait those 30 s, then run every tick it missed at once.
      const behind = spawnCoord(args, { env: await clockAway("-30s") });
      try {
        await behind.stdoutLine(/tick/, 15_000);
      } finally {
        behind.kill("SIGTERM");
        await behind.result;
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  },
});
