/**
 * Names holding NUL or another control character, a bidi control or a line separator are refused
 * at the library's edge, before any backend stores them.
 */

import assert from "node:assert/strict";
import { UsageError } from "../../lib/errors.ts";
import { barrier } from "../../lib/barrier/barrier.ts";
import { lock } from "../../lib/lock/lock.ts";
import { putJob } from "../../lib/queue/queue.ts";
import { defineTask } from "../../lib/schedule/task.ts";
import { conformance } from "../support/backends.ts";
import { runCoord, spawnCoord } from "../support/cli.ts";
import { tempDir } from "../support/temp.ts";
import { HANG_GUARD_MS } from "../support/wait.ts";

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

/**
 * What reorders the line a name is shown in (a right-to-left override shows `coord: … "txt.exe"`
 * reversed, Trojan Source) or ends it for JavaScript (the line and paragraph separators): one of
 * each kind.
 */
const LINE_BREAKERS = ["\u202e", "\u202a", "\u2066", "\u2069", "\u200e", "\u200f", "\u061c"]
  .concat(["\u2028", "\u2029"]);

conformance(
  "a name holding a bidi control or a line separator is refused, nothing stored",
  async ({ open }) => {
    // Only C0 and C1 controls were refused: such a name was stored and printed.
    const backend = await open();
    for (const c of LINE_BREAKERS) {
      const name = `txt${c}exe`;
      const code = c.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
      const refused = (e: Error) =>
        e instanceof UsageError && e.message.includes(`holds U+${code}, a bidi control`) &&
        !e.message.includes(c);
      await assert.rejects(barrier(backend, name, 1, { delayMs: 0 }), refused);
      await assert.rejects(barrier(backend, "b", 1, { delayMs: 0, runId: name }), refused);
      await assert.rejects(lock(backend, name), refused);
      await assert.rejects(putJob(backend, name, { handler: "h" }), refused);
      await assert.rejects(putJob(backend, "q", { handler: "h", id: name }), refused);
      await assert.rejects(putJob(backend, "q", { handler: "h", dedupe: name }), refused);
      await assert.rejects(putJob(backend, "q", { handler: "h", group: name }), refused);
      assert.throws(() => defineTask({ name, interval: "1s" }, () => {}), refused);
    }
    assert.deepEqual(await backend.lock.list(), []);
    assert.deepEqual(await backend.queue.list(), []);
    assert.equal((await backend.barrier.status("b")).generation, 1);
  },
);

Deno.test("every name coord is given refuses a bidi control or a line separator: one line, exit 64", async () => {
  await using dir = await tempDir("coord-test-");
  await using tasks = await tempDir("coord-test-");
  const env = { COORD_URL: `sqlite:${dir.path}/coord.db` };
  for (const c of ["\u202e", "\u2028"]) {
    const name = `txt${c}exe`;
    for (
      const [args, what, extra] of [
        [["lock", "run", name, "--", "true"], "resource name"],
        [["barrier", name, "1"], "barrier name"],
        [["barrier", "b", "1", "--run-id", name], "run id"],
        [["queue", "put", name, "--handler", "h"], "queue name"],
        [["queue", "put", "q", "--id", name, "--handler", "h"], "job id"],
        [["queue", "put", "q", "--dedupe", name, "--handler", "h"], "dedupe key"],
        [["queue", "put", "q", "--group", name, "--handler", "h"], "group name"],
        [["queue", "work", "q", "--worker", name, "--drain"], "worker id"],
        [["queue", "show", `q/${name}`], "job reference"],
        [["turn", "status", name], "resource name"],
        [["schedule", "status", name], "task name"],
        [["doctor", "--namespace", name], "namespace"],
        [["doctor"], "namespace", { COORD_NAMESPACE: name }],
      ] as const
    ) {
      const r = await runCoord([...args], { env: { ...env, ...extra } });
      assert.equal(r.code, 64, `${args.join(" ")}: ${r.stderr}`);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.ok(!r.stderr.includes(c), r.stderr);
      const given = args.find((arg) => arg.includes(c)) ?? name;
      const shown = JSON.stringify(given).replace(c, `\\u${c.charCodeAt(0).toString(16)}`);
      assert.ok(r.stderr.includes(`${what} ${shown} holds U+`), `${args.join(" ")}: ${r.stderr}`);
    }
  }
  // In a crontab line (U+2028 is white space there, as JavaScript reads a line's words).
  const crontab = `${tasks.path}/tasks.cron`;
  await Deno.writeTextFile(crontab, "@hourly name=txt\u202eexe true\n");
  const scheduler = spawnCoord(["schedule", "run", crontab], { env });
  // A scheduler that took the name would run on: a hang guard, not a timing bound.
  const guard = setTimeout(() => scheduler.kill("SIGKILL"), HANG_GUARD_MS);
  const r = await scheduler.result;
  clearTimeout(guard);
  assert.equal(r.code, 64, r.stderr);
  assert.match(r.stderr, /^coord: \S+tasks\.cron:1: task name "txt\\u202eexe" holds U\+202E/);
  // Not even an empty store: lock run and barrier opened (made) the SQLite file first.
  assert.deepEqual([...Deno.readDirSync(dir.path)], [], "no store made");
});

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
