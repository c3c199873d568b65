/**
 * Names holding NUL or another control character are refused at the library's edge, before any
 * backend stores them.
 */

import assert from "node:assert/strict";
import { UsageError } from "../../lib/errors.ts";
import { barrier } from "../../lib/barrier/barrier.ts";
import { lock } from "../../lib/lock/lock.ts";
import { putJob } from "../../lib/queue/queue.ts";
import { defineTask } from "../../lib/schedule/task.ts";
import { conformance } from "../support/backends.ts";
import { spawnCoord } from "../support/cli.ts";

/** A name SQLite would list cut at the NUL, as "a". */
const NUL_NAME = "a\0b";

conformance(
  "a barrier, resource or queue name holding NUL is refused, nothing stored",
  async ({ open }) => {
    const backend = await open();
    const refused = (e: Error) => e instanceof UsageError && /holds NUL/.test(e.message);
    await assert.rejects(barrier(backend, NUL_NAME, 1, { delayMs: 0 }), refused);
    await assert.rejects(barrier(backend, "b", 1, { delayMs: 0, runId: NUL_NAME }), refused);
    await assert.rejects(lock(backend, NUL_NAME), refused);
    await assert.rejects(putJob(backend, NUL_NAME, { handler: "h" }), refused);
    await assert.rejects(putJob(backend, "q", { handler: "h", id: NUL_NAME }), refused);
    assert.deepEqual(await backend.lock.list(), []);
    assert.deepEqual(await backend.queue.list(), []);
    assert.equal((await backend.barrier.status("a")).generation, 1);
  },
);

Deno.test("a task name holding NUL is refused", () => {
  assert.throws(() => defineTask({ name: NUL_NAME, interval: "1s" }, () => {}), /holds NUL/);
});

Deno.test("coord schedule run refuses a task module naming a task with NUL: exit 64", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(
      `${dir}/tasks.ts`,
      'export default (app) => app.task({ name: "a\\0b", interval: "1s" }, () => {});\n',
    );
    const scheduler = spawnCoord(["schedule", "run", `${dir}/tasks.ts`], {
      env: { COORD_URL: `sqlite:${dir}/coord.db` },
    });
    // A scheduler that accepted the name would run on: a hang guard, not a timing bound.
    const guard = setTimeout(() => scheduler.kill("SIGKILL"), 15_000);
    const r = await scheduler.result;
    clearTimeout(guard);
    assert.equal(r.code, 64, r.stderr);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /task name "a\\u0000b" holds NUL/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("coord queue put refuses a job id or queue name holding a newline or tab: exit 64", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const env = { COORD_URL: `sqlite:${dir}/coord.db` };
    for (const args of [["q", "--id", "nl\nhere"], ["tab\tq"]]) {
      const r = await spawnCoord(["queue", "put", ...args, "--handler", "h"], { env }).result;
      assert.equal(r.code, 64, r.stderr);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, /holds a control character/);
    }
    const status = await spawnCoord(["queue", "status", "--json"], { env }).result;
    assert.equal(status.stdout.trim(), "", "nothing stored");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("coord queue work refuses queues listed with commas: exit 64, their jobs wait", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const env = { COORD_URL: `sqlite:${dir}/coord.db` };
    const put = await spawnCoord(["queue", "put", "emails", "--", "true"], { env }).result;
    assert.equal(put.code, 0, put.stderr);
    // It worked one queue named "emails,reports", found it empty and exited 0 at once.
    const r = await spawnCoord(
      ["queue", "work", "emails,reports", "--drain", "--allow-commands"],
      { env },
    ).result;
    assert.equal(r.code, 64, r.stderr);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /takes each as its own argument: emails reports/);
    const status = await spawnCoord(["queue", "status", "emails", "--json"], { env }).result;
    assert.equal(JSON.parse(status.stdout).pending, 1, status.stdout);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("coord queue work refuses a worker id with a newline: exit 64, no store made", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const env = { COORD_URL: `sqlite:${dir}/coord.db` };
    // `status` prints workers in its columns: the id forged a line of its own there.
    const r = await spawnCoord(["queue", "work", "q", "--worker", "w\nq  9  9", "--drain"], { env })
      .result;
    assert.equal(r.code, 64, r.stderr);
    assert.match(r.stderr, /^coord: worker id "w\\nq {2}9 {2}9" holds a control character/);
    assert.deepEqual([...Deno.readDirSync(dir)], [], "no store made");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

conformance("a name of 512 emoji is 512 characters: stored and found", async ({ open }) => {
  const backend = await open();
  const name = "🔒".repeat(512);
  const held = await lock(backend, name);
  await held.release();
  const { ref } = await putJob(backend, name, { handler: "h", id: name });
  assert.equal(ref, `${name}/${name}`);
  assert.ok((await backend.lock.list()).includes(name));
  assert.ok((await backend.queue.list()).includes(name));
});
