/** `coord turn status|follow|reset` as separate processes, on every backend. */

import assert from "node:assert/strict";
import type { Backend } from "../../lib/backend/types.ts";
import { resetTicketLine } from "../../lib/lock/console.ts";
import { eventLine, statusTable } from "../../commands/turn.ts";
import { lock } from "../../lib/lock/lock.ts";
import type { TicketLine } from "../../lib/lock/steps.ts";
import { type CaseContext, conformance, envOf, plantForeignLock } from "../support/backends.ts";
import { type CoordProcess, type CoordResult, runCoord, spawnCoord } from "../support/cli.ts";
import { guarded, HANG_GUARD_MS } from "../support/wait.ts";

const turn = (ctx: CaseContext, ...args: string[]) =>
  runCoord(["turn", ...args], { env: envOf(ctx) });

/** `coord lock run RES --label LABEL FLAGS… -- CMD…`, running. */
function user(
  ctx: CaseContext,
  resource: string,
  label: string,
  flags: string[],
  command: string[],
): CoordProcess {
  return spawnCoord(["lock", "run", resource, "--label", label, ...flags, "--", ...command], {
    env: envOf(ctx),
  });
}

/** A command that says so on stderr once it runs, then holds the lock until signalled. */
const HOLD = ["sh", "-c", "echo holding >&2; exec sleep 30"];

/** Stops a process still running when a test fails, and its command. */
function reap(stack: AsyncDisposableStack, p: CoordProcess): CoordProcess {
  return stack.use(p);
}

/** Resolves once `done(status)` holds for `resource`; rejects after `timeoutMs`. */
async function queueState(
  backend: Backend,
  resource: string,
  done: (status: TicketLine | undefined) => boolean,
  timeoutMs = HANG_GUARD_MS,
): Promise<TicketLine | undefined> {
  const deadline = performance.now() + timeoutMs;
  await using watcher = await backend.watch({ kind: "lock", name: resource });
  for (;;) {
    const status = await backend.lock.status(resource);
    if (done(status)) return status;
    if (performance.now() > deadline) {
      throw new Error(
        `lock ${resource}: not as expected after ${timeoutMs} ms: ` +
          JSON.stringify(status),
      );
    }
    await watcher.next(100);
  }
}

const usersIn = (backend: Backend, resource: string, count: number) =>
  queueState(backend, resource, (s) => (s?.users.length ?? 0) === count);

/** Takes and gives back a ticket, as a `coord lock run RES -- true` would. */
async function useOnce(backend: Backend, resource: string, label: string): Promise<void> {
  await (await lock(backend, resource, { label })).release();
}

/** A running `coord turn follow`, its stdout read as it comes. */
interface Follower extends AsyncDisposable {
  /** Resolves with the first line matching `pattern` (printed before or after the call). */
  line(pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Every line printed so far. */
  lines(): string[];
  /** Sends `signal` and resolves when it has exited. */
  stop(signal: Deno.Signal): Promise<CoordResult>;
}

/**
 * Starts `coord turn follow NAMES…` and resolves once it is known to be listening: it has
 * printed a line about the queue "probe", used over and over meanwhile (a subscription gives
 * no other sign of being in place).
 */
async function follower(ctx: CaseContext, backend: Backend, names: string[]): Promise<Follower> {
  const child = spawnCoord(["turn", "follow", ...names], { env: envOf(ctx) });
  const stop = async (signal: Deno.Signal) => {
    try {
      child.kill(signal);
    } catch {
      // already gone
    }
    return await child.result;
  };
  const line = (pattern: RegExp, timeoutMs?: number) => child.stdoutLine(pattern, timeoutMs);
  const lines = () => child.stdoutLines();
  const f = { line, lines, stop, [Symbol.asyncDispose]: () => stop("SIGKILL").then(() => {}) };
  const deadline = performance.now() + HANG_GUARD_MS;
  for (;;) {
    await useOnce(backend, "probe", "probe");
    try {
      await f.line(/^probe: \d+ completed/, 300);
      return f;
    } catch (error) {
      if (performance.now() > deadline) {
        await f[Symbol.asyncDispose]();
        throw error;
      }
    }
  }
}

const row = (name: string, n: number) => `${name.padEnd(50)}${String(n).padStart(10)}`;
const DASHES = "-".repeat(60);

conformance("coord turn status shows turn's table of a holder and a waiter", async (ctx) => {
  await using stack = new AsyncDisposableStack();
  const backend = await ctx.open();
  const holder = reap(stack, user(ctx, "r", "holder", [], HOLD));
  await holder.stderrLine(/holding/);
  const waiter = reap(stack, user(ctx, "r", "waiter", [], ["true"]));
  await usersIn(backend, "r", 2);

  const text = await turn(ctx, "status", "r");
  assert.equal(text.code, 0, text.stderr);
  assert.equal(
    text.stdout,
    [row("r", 1), DASHES, row("holder", 1), row("waiter", 2), ""].join("\n"),
  );

  const json = await turn(ctx, "status", "r", "--json");
  assert.equal(json.code, 0, json.stderr);
  const record = JSON.parse(json.stdout);
  assert.deepEqual(
    { ...record, users: undefined },
    {
      resource: "r",
      indicator: 1,
      tickets: 2,
      limit: 1,
      holders: [1],
      waiters: [2],
      users: undefined,
    },
  );
  assert.deepEqual(record.users.map((u: { label: string }) => u.label), ["holder", "waiter"]);
  const [held, waiting] = record.users;
  // Redis keeps `since` to 14 significant digits (cjson), a tenth of a millisecond.
  assert.ok(held.granted_at >= held.since - 1 && waiting.since >= held.granted_at - 1, json.stdout);
  assert.equal(waiting.granted_at, null);

  holder.kill("SIGTERM");
  assert.equal((await holder.result).code, 143, "SIGTERM was passed to the command");
  const finished = await waiter.result;
  assert.equal(finished.code, 0, finished.stderr);
  const after = await turn(ctx, "status", "r");
  assert.equal(after.stdout, [row("r", 3), DASHES, ""].join("\n"));
});

conformance(
  "coord turn status without RES shows every queue; unknown ones are named",
  async (ctx) => {
    const backend = await ctx.open();
    const empty = await turn(ctx, "status");
    assert.equal(empty.code, 0, empty.stderr);
    assert.equal(empty.stdout, "");
    assert.equal(empty.stderr, `No queues in namespace "${ctx.namespace}".\n`);

    await useOnce(backend, "a", "gone by now");
    const long = "x".repeat(70);
    await using _held = await lock(backend, "b", { label: long });
    const all = await turn(ctx, "status");
    assert.equal(all.code, 0, all.stderr);
    assert.equal(
      all.stdout,
      [row("a", 2), DASHES, "", row("b", 1), DASHES, row(`${"x".repeat(49)}…`, 1), ""].join("\n"),
    );

    const some = await turn(ctx, "status", "a", "nope", "--json", "--", "-odd");
    assert.equal(some.code, 0, some.stderr);
    assert.equal(some.stderr, 'No such queue: "nope".\nNo such queue: "-odd".\n');
    assert.equal(some.stdout.trim().split("\n").length, 1);
    assert.equal(JSON.parse(some.stdout).resource, "a");
  },
);

conformance("coord turn follow prints the events of a queue made after it started", async (ctx) => {
  const backend = await ctx.open();
  await using follow = await follower(ctx, backend, []);
  for (const label of ["one", "two"]) {
    const r = await runCoord(["lock", "run", "fresh", "--label", label, "--", "true"], {
      env: envOf(ctx),
    });
    assert.equal(r.code, 0, r.stderr);
  }
  await follow.line(/^fresh: 2 completed/);
  const { code, stdout, stderr } = await follow.stop("SIGINT");
  assert.equal(code, 0, stderr);
  assert.deepEqual(stdout.split("\n").filter((l) => l.startsWith("fresh: ")), [
    'fresh: 1 assigned to "one"',
    "fresh: 1 granted",
    "fresh: 1 started",
    'fresh: 1 completed by "one"',
    'fresh: 2 assigned to "two"',
    "fresh: 2 granted",
    "fresh: 2 started",
    'fresh: 2 completed by "two"',
  ]);
});

conformance("coord turn follow RES shows a waiter leaving and the bump past it", async (ctx) => {
  await using stack = new AsyncDisposableStack();
  const backend = await ctx.open();
  await using follow = await follower(ctx, backend, ["r", "probe"]);
  await useOnce(backend, "other", "not followed");
  const a = reap(stack, user(ctx, "r", "a", [], HOLD));
  await follow.line(/^r: 1 started$/);
  const b = reap(stack, user(ctx, "r", "b", [], ["true"]));
  await follow.line(/^r: 2 assigned/);
  const c = reap(stack, user(ctx, "r", "c", [], ["true"]));
  await follow.line(/^r: 3 assigned/);
  b.kill("SIGTERM");
  assert.equal((await b.result).code, 143);
  await follow.line(/^r: 2 left/);
  a.kill("SIGTERM");
  assert.equal((await a.result).code, 143);
  assert.equal((await c.result).code, 0);
  await follow.line(/^r: 3 completed/);
  const { code, stdout, stderr } = await follow.stop("SIGTERM");
  assert.equal(code, 0, stderr);
  assert.deepEqual(stdout.split("\n").filter((l) => !l.startsWith("probe: ") && l !== ""), [
    'r: 1 assigned to "a"',
    "r: 1 granted",
    "r: 1 started",
    'r: 2 assigned to "b"',
    'r: 3 assigned to "c"',
    'r: 2 left ("b")',
    'r: 1 completed by "a"',
    "r: bumps from 1 to 3",
    "r: 3 granted",
    "r: 3 started",
    'r: 3 completed by "c"',
  ]);
});

conformance("coord turn follow shows a holder that crashed and the grant after it", async (ctx) => {
  await using stack = new AsyncDisposableStack();
  const backend = await ctx.open();
  await using follow = await follower(ctx, backend, ["r2", "probe"]);
  // x takes and starts its ticket with coord lock run's own steps and crashes when the test
  // says: its last renewal leaves 1 s of lease, and nothing renews it again. A coord lock run
  // --expire 1 killed by the test had to renew every 1/3 s until then, across y's start: at
  // load 20 its timers fired up to 0.5 s late and it gave the lock up itself ("1 completed",
  // exit 75) before the kill. lock_cli_test's "a SIGKILLed holder is passed over" kills one.
  const renew = (ticket: number, token: number, expireMs: number) =>
    backend.lock.check("r2", { ticket, token, expireMs, renew: true, starting: true });
  const x = await backend.lock.enqueue("r2", {
    label: "x",
    limit: 1,
    expireMs: HANG_GUARD_MS,
    request: crypto.randomUUID(),
  });
  assert.ok(x.outcome === "queued" && x.state === "granted", JSON.stringify(x));
  const { ticket, token } = x;
  await renew(ticket, token, HANG_GUARD_MS);
  await follow.line(/^r2: 1 started$/);
  const y = reap(stack, user(ctx, "r2", "y", [], ["true"]));
  await follow.line(/^r2: 2 assigned/);
  assert.deepEqual(await renew(ticket, token, 1_000), { state: "granted" });
  const granted = await y.result;
  assert.equal(granted.code, 0, granted.stderr);
  await follow.line(/^r2: 2 completed/);
  const { code, stdout } = await follow.stop("SIGINT");
  assert.equal(code, 0);
  assert.deepEqual(stdout.split("\n").filter((l) => l.startsWith("r2: ")), [
    'r2: 1 assigned to "x"',
    "r2: 1 granted",
    "r2: 1 started",
    'r2: 2 assigned to "y"',
    'r2: 1 crashed! ("x")',
    "r2: 2 granted",
    "r2: 2 started",
    'r2: 2 completed by "y"',
  ]);
});

conformance("coord turn reset refuses a queue in use unless --force", async (ctx) => {
  const backend = await ctx.open();
  await using _held = await lock(backend, "busy", { label: "lib" });
  const refused = await turn(ctx, "reset", "busy");
  assert.equal(refused.code, 75);
  assert.equal(refused.stderr, '"busy" is in use by 1 user(s).\n');
  assert.equal((await backend.lock.status("busy"))?.users.length, 1);

  const unknown = await turn(ctx, "reset", "nope");
  assert.equal(unknown.code, 0, unknown.stderr);
  assert.equal(unknown.stderr, 'No such queue: "nope".\n');
  assert.deepEqual(await backend.lock.list(), ["busy"]);

  const forced = await turn(ctx, "reset", "busy", "--force");
  assert.equal(forced.code, 0, forced.stderr);
  assert.equal(forced.stdout, "", "stdout stays empty, as turn's");
  assert.equal(forced.stderr, 'Reset "busy".\n');
  assert.equal(await backend.lock.status("busy"), undefined);
});

conformance("coord turn reset without RES removes the idle queues only", async (ctx) => {
  const backend = await ctx.open();
  await useOnce(backend, "idle", "done");
  await using _held = await lock(backend, "busy", { label: "lib" });
  const r = await turn(ctx, "reset");
  assert.equal(r.code, 75);
  assert.equal(r.stdout, "");
  assert.equal(r.stderr, '"busy" is in use by 1 user(s).\nReset "idle".\n', "in name order");
  assert.deepEqual(await backend.lock.list(), ["busy"]);
});

conformance("coord turn on a queue holding foreign data exits 65 and leaves it", async (ctx) => {
  const backend = await ctx.open();
  await plantForeignLock(backend, "alien");
  for (const verb of ["status", "reset"]) {
    const r = await turn(ctx, verb, "alien");
    assert.equal(r.code, 65, r.stderr);
    assert.match(r.stderr.trim(), /^coord: lock "alien": .*another program wrote there/);
  }
  await assert.rejects(backend.lock.status("alien"), /another program wrote there/);
  // The queues around it are still reset, as rm goes on past a file it may not remove.
  for (const resource of ["a", "z"]) await useOnce(backend, resource, resource);
  const all = await turn(ctx, "reset", "a", "alien", "z");
  assert.equal(all.code, 65, all.stderr);
  assert.match(all.stderr, /^Reset "a"\.\ncoord: lock "alien": [^\n]*\nReset "z"\.\n$/);
  assert.deepEqual(await backend.lock.list(), []);
}, { skip: ["postgres"] }); // Postgres enforces the columns' types: such a row cannot be stored.

conformance(
  "coord turn status shows every healthy queue beside one holding foreign data, and exits 65",
  async (ctx) => {
    const backend = await ctx.open();
    for (const resource of ["a", "alien", "b"]) await useOnce(backend, resource, resource);
    await plantForeignLock(backend, "alien");
    for (const args of [[], ["a", "alien", "b"], ["--json"]]) {
      const r = await turn(ctx, "status", ...args);
      assert.equal(r.code, 65, r.stderr);
      const shown = args.includes("--json")
        ? r.stdout.trim().split("\n").map((l) => JSON.parse(l).resource)
        : r.stdout.split("\n").filter((l) => /^[ab] /.test(l)).map((l) => l[0]);
      assert.deepEqual(shown, ["a", "b"], r.stdout);
      assert.match(r.stderr, /^coord: lock "alien": .*another program wrote there[^\n]*\n$/);
    }
  },
  { skip: ["postgres"] },
); // Postgres enforces the columns' types: such a row cannot be stored.

conformance(
  "coord turn follow RES on a queue holding foreign data exits 65 at once",
  async (ctx) => {
    const backend = await ctx.open();
    await plantForeignLock(backend, "alien");
    await using follow = spawnCoord(["turn", "follow", "alien"], { env: envOf(ctx) });
    // It sat silent: nothing in such a queue ever sends an event.
    const r = await guarded(follow.result, "exit of coord turn follow", 20_000);
    assert.equal(r.code, 65, r.stderr);
    assert.match(r.stderr, /^coord: lock "alien": .*another program wrote there[^\n]*\n$/);
    assert.equal(r.stdout, "");
    await assert.rejects(backend.lock.status("alien"), /another program wrote there/);
  },
  { skip: ["postgres"] },
); // Postgres enforces the columns' types: such a row cannot be stored.

conformance("resetTicketLine leaves a queue that took a ticket since it was seen", async (ctx) => {
  const backend = await ctx.open();
  await useOnce(backend, "r", "first");
  const seen = await backend.lock.status("r");
  await useOnce(backend, "r", "meanwhile");
  assert.deepEqual(await resetTicketLine(backend, "r", { seen }), { outcome: "activity" });
  assert.equal((await backend.lock.status("r"))?.tickets, 2);
  assert.deepEqual(await resetTicketLine(backend, "r"), { outcome: "removed" });
  assert.deepEqual(await resetTicketLine(backend, "r"), { outcome: "missing" });
});

Deno.test("bad coord turn arguments exit 64 with one line", async () => {
  const cases = [
    ["turn"],
    ["turn", "bogus"],
    ["turn", "status", "--bogus"],
    ["turn", "status", "--force"],
    ["turn", "follow", "--json"],
    ["turn", "reset", "--json"],
  ];
  for (const args of cases) {
    const r = await runCoord([...args, "--url", "sqlite::memory:"]);
    assert.equal(r.code, 64, args.join(" "));
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /see coord turn --help/);
  }
  const empty = await runCoord(["turn", "status", "", "--url", "sqlite::memory:"]);
  assert.equal(empty.code, 64, empty.stderr);
});

Deno.test("eventLine() words every lock event as turn's console does", () => {
  const lines = [
    { event: "assigned", ticket: 5, label: 'say "hi"' },
    { event: "granted", ticket: 6 },
    { event: "started", ticket: 5 },
    { event: "completed", ticket: 5, label: "a" },
    { event: "left", ticket: 7, label: "b" },
    { event: "crashed", ticket: 8, label: "c" },
    { event: "bumped", from: 5, to: 9 },
    { event: "reset" },
  ] as const;
  assert.deepEqual(lines.map((e) => eventLine("de\nploy", e)), [
    'de\\x0aploy: 5 assigned to "say \\"hi\\""',
    "de\\x0aploy: 6 granted",
    "de\\x0aploy: 5 started",
    'de\\x0aploy: 5 completed by "a"',
    'de\\x0aploy: 7 left ("b")',
    'de\\x0aploy: 8 crashed! ("c")',
    "de\\x0aploy: bumps from 5 to 9",
    "de\\x0aploy: reset",
  ]);
});

Deno.test("statusTable() keeps its columns whatever the names", () => {
  const [head, dashes, user, wide] = statusTable("r".repeat(60), {
    tickets: 1234567890,
    indicator: 1234567890,
    limit: 1,
    users: [
      { ticket: 1234567890, label: "tab\there 🔒", since: 0, grantedAt: 1 },
      { ticket: 7, label: "報告".repeat(30), since: 0 },
    ],
  });
  assert.equal(head, `${"r".repeat(49)}…1234567890`);
  assert.equal(dashes, DASHES);
  // Padded to terminal columns: the lock and each Chinese character take two.
  assert.equal(user, `tab\\x09here 🔒${" ".repeat(36)}1234567890`);
  assert.equal(wide, `${"報告".repeat(12)}… ${"7".padStart(10)}`);
});

Deno.test("coord turn --help promises tickets never repeat after a reset", async () => {
  const { code, stdout } = await runCoord(["turn", "--help"]);
  assert.equal(code, 0);
  assert.doesNotMatch(stdout, /again at 1/);
  assert.match(stdout, /Tickets and\s+fencing tokens never repeat/);
});
