/**
 * Commands opening a SQLite file that another process holds locked (a new file, not yet in WAL
 * mode, in another program's `BEGIN EXCLUSIVE`; a file to upgrade whose write lock it holds):
 * they wait for it without blocking their own process, so their deadline and stop signals still
 * end them, with the usual exit codes.
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { connect } from "../lib/backend/connect.ts";
import { Scheduler } from "../lib/schedule/scheduler.ts";
import { type CoordProcess, spawnCoord, spawnProgram } from "./support/cli.ts";
import { hasOpen, holdFileLocked, rowCount } from "./support/sqlite.ts";
import { tempSqlite } from "./support/temp.ts";
import { guarded } from "./support/wait.ts";

const WAITING = /is locked by another process \(database is locked\) — waiting for it/;

/** The line a coord says once it has waited a second for the file; fails if it exits first. */
async function saysItWaits(coord: CoordProcess): Promise<void> {
  await Promise.race([
    coord.stderrLine(WAITING),
    coord.result.then(({ code, stderr }) => {
      throw new Error(`exited ${code} instead of waiting for the file: ${stderr}`);
    }),
  ]);
}

/** A barrier on `url` that says it waits for the file, then gets SIGTERM: how it ended. */
async function stoppedWhileWaiting(url: string) {
  await using waiter = spawnCoord(["barrier", "b", "2", "--url", url]);
  await saysItWaits(waiter);
  waiter.kill("SIGTERM");
  return await waiter.result;
}

/** `barrier b 2 --timeout 1` on `url`, which another process holds locked: exits 75 meanwhile. */
async function barrierTimesOut(url: string): Promise<string> {
  const { code, stderr } = await spawnCoord(["barrier", "b", "2", "--timeout", "1", "--url", url])
    .result;
  assert.equal(code, 75, stderr);
  return stderr;
}

/**
 * A coord file as an earlier coord left it (without an index added since), in WAL mode: opening
 * it takes the write lock to upgrade it, which reads do not need.
 */
async function olderFile(url: string): Promise<void> {
  {
    await using _made = await connect({ url, env: {} });
  }
  const db = new DatabaseSync(url.slice("sqlite:".length));
  db.exec("DROP INDEX coord_queue_job_finished");
  db.close();
}

Deno.test("queue put on a new file another process holds locked waits, and puts once it is released", async () => {
  await using db = await tempSqlite();
  await using holder = await holdFileLocked(db.url.slice("sqlite:".length));
  await using put = spawnCoord(["queue", "put", "--url", db.url, "q", "--", "true"]);
  await saysItWaits(put);
  await holder.release();
  const { code, stdout, stderr } = await put.result;
  assert.equal(code, 0, stderr);
  assert.equal(stdout, "q/1\n");
  assert.equal(await rowCount(db.url, "coord_queue_job"), 1);
});

Deno.test("barrier --timeout 1 on a file another process holds locked exits 75 while it is still held", async () => {
  await using db = await tempSqlite();
  await using _holder = await holdFileLocked(db.url.slice("sqlite:".length));
  assert.match(
    await barrierTimesOut(db.url),
    /barrier "b": timed out after 1 s .*the file stayed locked \(cannot open .*another process held it locked/,
  );
});

Deno.test("lock run --wait 1 on a file another process holds locked exits 75 while it is still held, running nothing", async () => {
  await using db = await tempSqlite();
  await using _holder = await holdFileLocked(db.url.slice("sqlite:".length));
  const { code, stdout, stderr } = await spawnCoord([
    "lock",
    "run",
    "--wait",
    "1",
    "--url",
    db.url,
    "r",
    "--",
    "echo",
    "ran",
  ]).result;
  assert.equal(code, 75, stderr);
  assert.equal(stdout, "");
  assert.match(
    stderr,
    /lock "r": not granted within 1 s: the file stayed locked \(cannot open .*another process held it locked/,
  );
});

Deno.test("SIGTERM ends a barrier waiting for a file another process holds locked with 143", async () => {
  await using db = await tempSqlite();
  await using _holder = await holdFileLocked(db.url.slice("sqlite:".length));
  const { code, stderr } = await stoppedWhileWaiting(db.url);
  assert.equal(code, 143, stderr);
  assert.match(stderr, /stopped by SIGTERM/);
});

Deno.test("ten puts on a new file, released together, all put their job", async () => {
  await using db = await tempSqlite();
  await using holder = await holdFileLocked(db.url.slice("sqlite:".length));
  const puts = Array.from(
    { length: 10 },
    () => spawnCoord(["queue", "put", "--url", db.url, "q", "--", "true"]),
  );
  try {
    // All of them at the file, so all of them switch it to WAL and create its tables at once.
    await Promise.all(puts.map(saysItWaits));
    await holder.release();
    const results = await Promise.all(puts.map((put) => put.result));
    for (const { code, stderr } of results) assert.equal(code, 0, stderr);
    assert.equal(await rowCount(db.url, "coord_queue_job"), 10);
  } finally {
    await Promise.all(puts.map((put) => put[Symbol.asyncDispose]()));
  }
});

Deno.test("ten lock run -n of ten resources on a new file another process holds locked a moment all run their command", async () => {
  await using db = await tempSqlite();
  const path = db.url.slice("sqlite:".length);
  await using holder = await holdFileLocked(path);
  const runs = Array.from(
    { length: 10 },
    (_, i) => spawnCoord(["lock", "run", "--url", db.url, "-n", `r${i}`, "--", "true"]),
  );
  try {
    // All of them at the file, locked as another coord's opening of a new file holds it (a
    // moment, here a long one), before it lets go: "try once" means once past such a lock.
    await Promise.all(runs.map((run) => Promise.race([hasOpen(run.pid, path), run.result])));
    await new Promise((held) => setTimeout(held, 200));
    await holder.release();
    const results = await Promise.all(runs.map((run) => run.result));
    for (const { code, stderr } of results) assert.equal(code, 0, stderr);
  } finally {
    await Promise.all(runs.map((run) => run[Symbol.asyncDispose]()));
  }
});

Deno.test("barrier --timeout 1 on a file to upgrade whose write lock another process holds exits 75 while it is held", async () => {
  await using db = await tempSqlite();
  await olderFile(db.url);
  await using _holder = await holdFileLocked(db.url.slice("sqlite:".length));
  await barrierTimesOut(db.url);
});

Deno.test("SIGTERM ends a barrier waiting to upgrade a file whose write lock another process holds with 143", async () => {
  await using db = await tempSqlite();
  await olderFile(db.url);
  await using _holder = await holdFileLocked(db.url.slice("sqlite:".length));
  const { code, stderr } = await stoppedWhileWaiting(db.url);
  assert.equal(code, 143, stderr);
});

/**
 * A schedulerMain() program on `url`, written beside its file; `before` runs ahead of the call.
 */
async function schedulerProgram(url: string, before = ""): Promise<string> {
  const program = `${url.slice("sqlite:".length)}.app.ts`;
  await Deno.writeTextFile(
    program,
    `import { Scheduler, schedulerMain } from "coord";
const app = new Scheduler({ connect: { url: ${JSON.stringify(url)} } });
app.task({ name: "beat", interval: "1s" }, () => console.log("ran"));
${before}
await schedulerMain(app);
`,
  );
  return program;
}

/** Connecting begun by the program before schedulerMain() listens for signals. */
const CONNECTS_FIRST = "app.backend().catch(() => {});";

Deno.test("SIGTERM stops a schedulerMain() program waiting for its file another process holds locked, which says so", async () => {
  await using db = await tempSqlite();
  const program = await schedulerProgram(db.url);
  await using _holder = await holdFileLocked(db.url.slice("sqlite:".length));
  await using app = spawnProgram(program);
  await saysItWaits(app);
  app.kill("SIGTERM");
  const { code, stdout, stderr } = await app.result;
  assert.equal(code, 0, stderr);
  assert.equal(stdout, "");
});

Deno.test("SIGTERM stops a schedulerMain() program whose app.backend() began connecting to a file another process holds locked", async () => {
  await using db = await tempSqlite();
  const path = db.url.slice("sqlite:".length);
  const program = await schedulerProgram(db.url, CONNECTS_FIRST);
  await using _holder = await holdFileLocked(path);
  await using app = spawnProgram(program);
  // At the file: schedulerMain() listened before the connect opened it.
  await Promise.race([hasOpen(app.pid, path), app.result]);
  app.kill("SIGTERM");
  const { code, stdout, stderr } = await guarded(app.result, "end after SIGTERM", 20_000);
  assert.equal(code, 0, stderr);
  assert.equal(stdout, "");
});

Deno.test("a schedulerMain() program whose app.backend() began connecting says it waits for its file another process holds locked", async () => {
  await using db = await tempSqlite();
  const program = await schedulerProgram(db.url, CONNECTS_FIRST);
  await using _holder = await holdFileLocked(db.url.slice("sqlite:".length));
  await using app = spawnProgram(program);
  await guarded(saysItWaits(app), "line saying it waits", 20_000);
});

Deno.test("Scheduler.run() that connects itself to a file another process holds locked ends when its signal aborts", async () => {
  await using db = await tempSqlite();
  await using _holder = await holdFileLocked(db.url.slice("sqlite:".length));
  const stop = new AbortController();
  const app = new Scheduler({ connect: { url: db.url, env: {}, onLocked: () => stop.abort() } });
  app.task({ name: "beat", interval: "1s" }, () => {});
  const result = await guarded(app.run({ signal: stop.signal }), "end of the run");
  assert.deepEqual(result, { cutShort: 0 });
});

/** A callback for an `onLocked` option, and the first message it is told. */
function notice(): { told: (message: string) => void; heard: Promise<string> } {
  const { promise, resolve } = Promise.withResolvers<string>();
  return { told: resolve, heard: promise };
}

Deno.test("Scheduler.run() with onLocked and no signal is told of the file another process holds locked", async () => {
  await using db = await tempSqlite();
  await using _holder = await holdFileLocked(db.url.slice("sqlite:".length));
  const giveUp = new AbortController();
  const app = new Scheduler({ connect: { url: db.url, env: {}, signal: giveUp.signal } });
  app.task({ name: "beat", interval: "1s" }, () => {});
  const { told, heard } = notice();
  const run = app.run({ onLocked: told });
  try {
    assert.match(await guarded(heard, "notice of the file held locked", 20_000), WAITING);
  } finally {
    giveUp.abort(new Error("given up"));
    await run.catch(() => {});
  }
});

Deno.test("Scheduler.run() is told of the file another process holds locked when app.backend() began connecting over a second before it", async () => {
  await using db = await tempSqlite();
  await using _holder = await holdFileLocked(db.url.slice("sqlite:".length));
  const giveUp = new AbortController();
  const options = { url: db.url, env: {}, signal: giveUp.signal };
  const app = new Scheduler({ connect: options });
  app.task({ name: "beat", interval: "1s" }, () => {});
  const connecting = app.backend();
  // Waits that began after the app's each say so after a second of their own: once the second
  // says it, the app's wait has said so too, to no one.
  const later = [];
  for (let wait = 0; wait < 2; wait++) {
    const { told, heard } = notice();
    later.push(connect({ ...options, onLocked: told }));
    await guarded(heard, `notice of wait ${wait + 1}`, 20_000);
  }
  const { told, heard } = notice();
  const run = app.run({ onLocked: told });
  try {
    assert.match(await guarded(heard, "notice of the file held locked", 20_000), WAITING);
  } finally {
    giveUp.abort(new Error("given up"));
    await Promise.allSettled([connecting, run, ...later]);
  }
});
