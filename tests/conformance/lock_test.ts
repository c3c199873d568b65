/** The lock's semantics, in-process, on every backend. */

import assert from "node:assert/strict";
import { lock, withLock } from "../../lib/lock/lock.ts";
import {
  ForeignDataError,
  LeaseLostError,
  LockTimeoutError,
  UsageError,
} from "../../lib/errors.ts";
import type { EnqueueRequest } from "../../lib/lock/steps.ts";
import { forgetLock, rewindLock, users } from "../support/lock.ts";
import { counting, overriding } from "../support/overriding.ts";
import { guarded, HANG_GUARD_MS, until } from "../support/wait.ts";
import type { Backend } from "../../lib/backend/types.ts";
import { conformance, plantForeignLock } from "../support/backends.ts";

const quick = { expireMs: 3000 };

/** An enqueue request of its own (a fresh request id) for the steps. */
const ask = (r: Partial<EnqueueRequest> = {}): EnqueueRequest => ({
  label: "x",
  limit: 1,
  expireMs: 10_000,
  request: crypto.randomUUID(),
  ...r,
});

conformance("lock() serves users in ticket order with increasing tokens", async ({ open }) => {
  const backends = await Promise.all([1, 2, 3, 4].map(() => open()));
  const order: number[] = [];
  const first = await lock(backends[0], "fifo", quick);
  const waiters = [];
  for (const [i, b] of backends.slice(1).entries()) {
    waiters.push(withLock(b, "fifo", (held) => {
      order.push(held.token);
      return Promise.resolve(held.token);
    }, quick));
    await users(backends[0], "fifo", i + 2); // each waiter is queued before the next asks
  }
  await first.release();
  const tokens = await Promise.all(waiters);
  assert.deepEqual(order, tokens, "granted in the order they asked");
  assert.deepEqual(tokens, [...tokens].sort((x, y) => x - y));
  assert.equal(new Set([first.token, ...tokens]).size, 4);
  assert.ok(first.token < tokens[0]);
});

conformance("a limit of 2 lets two hold at once, the third waits its turn", async ({ open }) => {
  const [a, b, c] = [await open(), await open(), await open()];
  const options = { ...quick, limit: 2 };
  const one = await lock(a, "pair", options);
  const two = await lock(b, "pair", options);
  let thirdHeld = false;
  const third = lock(c, "pair", options).then((h) => {
    thirdHeld = true;
    return h;
  });
  await users(a, "pair", 3);
  assert.equal(thirdHeld, false);
  await one.release();
  const held = await third;
  assert.ok(held.token > two.token);
  await Promise.all([two.release(), held.release()]);
});

conformance("users who disagree on the limit are refused, changing nothing", async ({ open }) => {
  const [a, b] = [await open(), await open()];
  const held = await lock(a, "lim", { ...quick, limit: 2 });
  await assert.rejects(lock(b, "lim", { ...quick, limit: 3 }), (e: Error) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /up to 2 holders, but this one says 3/);
    return true;
  });
  assert.equal((await a.lock.status("lim"))?.users.length, 1);
  await held.release();
});

conformance("waiting 0 on a held lock times out and gives the ticket back", async ({ open }) => {
  const [a, b] = [await open(), await open()];
  const held = await lock(a, "busy", quick);
  await assert.rejects(lock(b, "busy", { ...quick, waitMs: 0 }), LockTimeoutError);
  const status = await a.lock.status("busy");
  assert.deepEqual(status?.users.map((u) => u.ticket), [1]);
  await held.release();
  const free = await lock(b, "busy", { ...quick, waitMs: 0 });
  assert.ok(free.token > held.token);
  await free.release();
});

conformance(
  "a wait started earlier (startedAt) gets only what is left of waitMs",
  async ({ open }) => {
    const [a, b] = [await open(), await open()];
    const held = await lock(a, "early", quick);
    // Counted from the call, its wait would outlast the hang guard.
    const waitMs = 2 * HANG_GUARD_MS;
    await assert.rejects(
      guarded(
        lock(b, "early", { ...quick, waitMs, startedAt: performance.now() - waitMs }),
        "the give-up",
      ),
      (e: Error) =>
        e instanceof LockTimeoutError &&
        e.message.includes(`not granted within ${waitMs / 1000} s`),
    );
    assert.deepEqual((await a.lock.status("early"))?.users.map((u) => u.ticket), [1]);
    await held.release();
  },
);

conformance(
  "a holder whose lease lapses is passed over, and the indicator skips it",
  async ({ open }) => {
    const backend = await open();
    const steps = backend.lock;
    const take = (expireMs: number) => steps.enqueue("dead", ask({ expireMs }));
    await take(300); // 1: holds, then dies
    await take(300); // 2: waits, then dies
    const live = await take(10_000); // 3
    assert.equal(live.outcome === "queued" && live.state, "waiting");
    await new Promise((r) => setTimeout(r, 450));
    const state = await steps.check("dead", {
      ticket: 3,
      expireMs: 10_000,
      renew: false,
      starting: false,
    });
    assert.deepEqual(state, { state: "granted" });
    const status = await steps.status("dead");
    assert.equal(status?.indicator, 3);
    assert.deepEqual(status?.users.map((u) => u.ticket), [3]);
  },
);

conformance(
  "a waiting ticket learns which ticket is first in line, so it can tell stale news",
  async ({ open }) => {
    const steps = (await open()).lock;
    for (let i = 0; i < 3; i++) await steps.enqueue("line", ask());
    await steps.release("line", { ticket: 1, unlessGranted: false });
    const fourth = await steps.enqueue("line", ask());
    const standing = fourth.outcome === "queued" && fourth.state === "waiting" &&
      { ahead: fourth.ahead, first: fourth.first };
    assert.deepEqual(standing, { ahead: 2, first: 2 });
    await steps.release("line", { ticket: 3, unlessGranted: false });
    const checked = await steps.check("line", {
      ticket: 4,
      expireMs: 10_000,
      renew: false,
      starting: false,
    });
    assert.deepEqual(
      checked.state === "waiting" && { ahead: checked.ahead, first: checked.first },
      { ahead: 1, first: 2 },
    );
  },
);

conformance("the indicator never moves backwards", async ({ open }) => {
  const steps = (await open()).lock;
  const seen: number[] = [];
  for (let i = 0; i < 4; i++) await steps.enqueue("mono", ask());
  for (const ticket of [3, 1, 4, 2]) {
    await steps.release("mono", { ticket, unlessGranted: false });
    seen.push((await steps.status("mono"))!.indicator);
  }
  assert.deepEqual(seen, [1, 2, 2, 5]);
});

conformance("an aborted wait leaves the queue", async ({ open }) => {
  const [a, b] = [await open(), await open()];
  const held = await lock(a, "sig", quick);
  const controller = new AbortController();
  const waiting = lock(b, "sig", { ...quick, signal: controller.signal });
  await users(a, "sig", 2);
  controller.abort(new Error("interrupted"));
  await assert.rejects(waiting, /interrupted/);
  assert.deepEqual((await a.lock.status("sig"))?.users.map((u) => u.ticket), [1]);
  await held.release();
});

conformance(
  "a waiter counts down the tickets that leave ahead of it, then gets its turn",
  async ({ open }) => {
    const [a, b, c] = [await open(), await open(), await open()];
    // Leases so long that no renewal nor lease end makes the third check before the hang guard
    // below: its count must come from what it hears.
    const long = { expireMs: 60_000 };
    const held = await lock(a, "countdown", long);
    const controller = new AbortController();
    const second = lock(b, "countdown", { ...long, signal: controller.signal });
    await users(a, "countdown", 2);
    const seen: number[] = [];
    let oneAhead: () => void;
    const heardOneAhead = new Promise<void>((resolve) => oneAhead = resolve);
    const third = lock(c, "countdown", {
      ...long,
      onProgress: ({ ahead }) => {
        seen.push(ahead);
        if (ahead === 1) oneAhead();
      },
    });
    await users(a, "countdown", 3);
    // The only thing the third hears is that the second left: not its turn, but one less ahead.
    controller.abort(new Error("gave up"));
    await assert.rejects(second, /gave up/);
    let guard: ReturnType<typeof setTimeout> | undefined;
    await Promise.race([
      heardOneAhead,
      new Promise((_, reject) => {
        guard = setTimeout(() => reject(new Error("hang guard: no count down")), 10_000);
      }),
    ]).finally(() => clearTimeout(guard));
    await held.release();
    const granted = await third;
    assert.deepEqual([seen[0], seen.at(-1)], [2, 1]);
    assert.ok(granted.token > held.token);
    await granted.release();
  },
);

conformance("a waiter tells its place once until it changes", async ({ open }) => {
  const [a, b] = [await open(), await open()];
  const held = await lock(a, "told", quick);
  const { backend: recorded, calls } = recordingSteps(b);
  const seen: number[] = [];
  const waiting = lock(recorded, "told", { ...quick, onProgress: ({ ahead }) => seen.push(ahead) });
  // Its lease is renewed every second by a check that finds the same place.
  await until(() => calls.filter((call) => call === "check").length >= 3, { what: "three checks" });
  assert.deepEqual(seen, [1]);
  await held.release();
  await (await waiting).release();
});

conformance(
  "a waiter behind users that vanished gets its turn though nothing announces it",
  async ({ open }) => {
    const [a, b] = [await open(), await open()];
    // Two tickets whose users never renew nor release: no step of theirs announces their end.
    await a.lock.enqueue("vanished", ask({ expireMs: 400 }));
    await a.lock.enqueue("vanished", ask({ expireMs: 400 }));
    // Its own lease so long that only the end of theirs makes it check (a hang guard).
    const held = await lock(b, "vanished", { expireMs: 60_000, waitMs: 10_000 });
    // Granted by a check, not by the give-back at the end of the wait (which grants it too).
    assert.ok(held.waitedMs < 9_000, `waited ${held.waitedMs} ms`);
    assert.deepEqual((await a.lock.status("vanished"))?.users.map((u) => u.ticket), [3]);
    await held.release();
  },
);

conformance("a holder whose ticket vanishes learns it through its signal", async ({ open }) => {
  const [a, b] = [await open(), await open()];
  const held = await lock(a, "lost", { expireMs: 300 });
  await b.lock.reset("lost", { force: true });
  // On a busy machine the loss may be noticed before this line: the signal is aborted already.
  await until(() => held.signal.aborted, { what: "the lease lost" });
  assert.match(String(held.signal.reason), /lost the lease/);
  await held.release();
});

conformance("withLock rejects with the lost lease, not fn's result", async ({ open }) => {
  const [a, b] = [await open(), await open()];
  const outcome = withLock(a, "lost-fn", async (held) => {
    await b.lock.reset("lost-fn", { force: true });
    await until(() => held.signal.aborted, { what: "the lease lost" });
    return "done without the lock";
  }, { expireMs: 300 });
  await assert.rejects(outcome, LeaseLostError);
});

conformance("release() twice is harmless", async ({ open }) => {
  const backend = await open();
  const held = await lock(backend, "twice", quick);
  await held.release();
  await held.release();
  assert.deepEqual((await backend.lock.status("twice"))?.users, []);
});

conformance("foreign data in a lock's keys is refused", async ({ open }) => {
  const backend = await open();
  await plantForeignLock(backend, "alien");
  await assert.rejects(lock(backend, "alien", quick), ForeignDataError);
}, { skip: ["postgres"] }); // Postgres enforces the columns' types: such a row cannot be stored.

conformance(
  "names and labels with quotes, backslashes and ? come back as given",
  async ({ open }) => {
    const backend = await open();
    const [name, label] = [`it's \\ a "q"?`, `o'brien \\'; -- ?`];
    await using _held = await lock(backend, name, { ...quick, label });
    assert.deepEqual((await backend.lock.status(name))?.users.map((u) => u.label), [label]);
    assert.deepEqual(await backend.lock.list(), [name]);
  },
);

conformance("bad lock options are usage errors", async ({ open }) => {
  const backend = await open();
  await assert.rejects(lock(backend, "bad", { limit: 0 }), UsageError);
  await assert.rejects(lock(backend, "bad", { expireMs: 10 }), UsageError);
  await assert.rejects(lock(backend, "bad", { waitMs: -1 }), UsageError);
  await assert.rejects(lock(backend, "bad", { waitMs: 2 ** 31 }), UsageError);
  await assert.rejects(lock(backend, "bad", { patienceMs: 1e15 }), UsageError);
  await assert.rejects(lock(backend, "bad", { label: "x".repeat(201) }), UsageError);
  assert.equal(await backend.lock.status("bad"), undefined, "nothing was stored");
  await assert.rejects(lock(backend, "", {}), UsageError);
});

conformance("events() hears what happens right after it resolves", async ({ open }) => {
  const [watcher, user] = [await open(), await open()];
  const controller = new AbortController();
  const timeout = setTimeout(() => controller.abort(), 10_000);
  const events = await watcher.events("lock", undefined, controller.signal);
  const held = await lock(user, "seen", quick); // no wait: the stream must already listen
  await held.release();
  const seen: string[] = [];
  for await (const { name, event } of events) {
    const kind = (event as { event: string }).event;
    seen.push(`${name} ${kind}`);
    if (kind === "completed") controller.abort();
  }
  clearTimeout(timeout);
  assert.deepEqual(seen, ["seen assigned", "seen granted", "seen started", "seen completed"]);
});

/** `backend` whose lock steps are recorded, by name, as they are called. */
function recordingSteps(backend: Backend): { backend: Backend; calls: string[] } {
  const calls: string[] = [];
  const steps = counting(backend.lock, (step) => calls.push(step));
  return { backend: overriding(backend, { lock: steps }), calls };
}

conformance(
  "a holder makes no step between its grant and its release, which records its start",
  async ({ open }) => {
    const backend = await open();
    const { backend: recorded, calls } = recordingSteps(backend);
    const controller = new AbortController();
    const timeout = setTimeout(() => controller.abort(), HANG_GUARD_MS);
    const events = await backend.events("lock", ["brief"], controller.signal);
    const held = await lock(recorded, "brief", quick);
    await held.release();
    // On a contended lock the next release would wait for any step in between: one more per
    // handoff.
    assert.deepEqual(calls, ["enqueue", "release"]);
    const seen: string[] = [];
    for await (const { event } of events) {
      const kind = (event as { event: string }).event;
      seen.push(kind);
      if (kind === "completed") controller.abort();
    }
    clearTimeout(timeout);
    assert.deepEqual(seen, ["assigned", "granted", "started", "completed"]);
  },
);

conformance("a holder's first renewal records its start, once", async ({ open }) => {
  const backend = await open();
  const controller = new AbortController();
  const timeout = setTimeout(() => controller.abort(), HANG_GUARD_MS);
  const events = await backend.events("lock", ["kept"], controller.signal);
  const { backend: recorded, calls } = recordingSteps(backend);
  // Renewed half a second on: short, yet long enough for a busy machine to answer in time.
  const held = await lock(recorded, "kept", { expireMs: 1_500 });
  const seen: string[] = [];
  for await (const { event } of events) {
    const kind = (event as { event: string }).event;
    seen.push(kind);
    if (kind === "started") {
      // A third renewal asked: the second one, which records nothing, was answered.
      await until(() => calls.filter((call) => call === "check").length >= 3, {
        what: "a third renewal",
      });
      await held.release();
    }
    if (kind === "completed") controller.abort();
  }
  clearTimeout(timeout);
  assert.deepEqual(seen, ["assigned", "granted", "started", "completed"]);
});

conformance(
  "a forced reset never lets tokens repeat, and the old holder learns it",
  async ({ open }) => {
    const [a, b, c] = [await open(), await open(), await open()];
    const old = await lock(a, "reborn", { expireMs: 600 });
    assert.equal((await c.lock.reset("reborn", { force: true })).outcome, "removed");
    assert.equal(await c.lock.status("reborn"), undefined, "the queue is gone");
    const fresh = await lock(b, "reborn", { expireMs: 600 });
    assert.ok(fresh.token > old.token, `token ${fresh.token} after ${old.token}`);
    const aborted = new Promise<void>((resolve) =>
      old.signal.aborted ? resolve() : old.signal.addEventListener("abort", () => resolve())
    );
    const deadline = new Promise((_, reject) =>
      setTimeout(() => reject(new Error("never told")), 2000)
    );
    await Promise.race([aborted, deadline]);
    assert.ok(!fresh.signal.aborted, "the new holder keeps its lease");
    await old.release(); // must not take the new holder's ticket away
    // The ticket counter survives the reset too: the new holder has ticket 2.
    assert.deepEqual((await c.lock.status("reborn"))?.users.map((u) => u.ticket), [2]);
    await fresh.release();
  },
);

conformance("a lock released while a renewal is under way leaves no timer behind", async (ctx) => {
  // The holder's first renewal goes out at once (it records the start), so a command as short
  // as `true` ends while it is under way. A lease deadline set after the release would keep the
  // process alive for 2/3 of the lease: 40 s of this one.
  const lib = new URL("../../lib/mod.ts", import.meta.url).href;
  const script = `
    import { connect, lock } from "${lib}";
    const backend = await connect({ url: Deno.args[0], namespace: Deno.args[1], env: {} });
    const held = await lock(backend, "brief", { expireMs: 60_000 });
    await new Promise((resolve) => setTimeout(resolve, 0));
    await held.release();
    await backend.close();`;
  const config = new URL("../../deno.json", import.meta.url).pathname;
  const { success, signal } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--config", config, script, ctx.url, ctx.namespace],
    stdout: "null",
    signal: AbortSignal.timeout(20_000),
  }).output();
  assert.equal(signal, null, "the process was still running 20 s after it released the lock");
  assert.ok(success);
});

conformance("tokens never repeat after the backend lost the lock's state", async ({ open }) => {
  const backend = await open();
  const before = await lock(backend, "amnesia", quick);
  await before.release();
  await forgetLock(backend, "amnesia"); // as a restart without persistence would
  const after = await lock(backend, "amnesia", quick);
  assert.ok(after.token > before.token, `token ${after.token} after ${before.token}`);
  await after.release();
});

conformance(
  "a holder whose lock the backend lost stops, though a new user got its ticket number",
  async ({ open }) => {
    const [a, b] = [await open(), await open()];
    const held = await lock(a, "reborn", { expireMs: 3000 });
    await forgetLock(a, "reborn"); // as a restart without persistence would
    // The counters start again: the new user's ticket has the old holder's number.
    const usurper = await lock(b, "reborn", { expireMs: 60_000, waitMs: 0 });
    assert.ok(usurper.token > held.token);
    await until(() => held.signal.aborted, { what: "the old holder's lease lost" });
    assert.match(String(held.signal.reason), /no longer has its ticket/);
    // Its release leaves the new user's ticket alone.
    await held.release();
    assert.deepEqual((await b.lock.status("reborn"))?.users.map((u) => u.ticket), [1]);
    await usurper.release();
  },
);

conformance(
  "a waiter whose lock the backend lost does not take another's grant of its ticket number",
  async ({ open }) => {
    const [a, b, c] = [await open(), await open(), await open()];
    // Leases so long that no check of the waiter's (its renewal, the lease ahead running out)
    // finds the loss before the grant below: it must tell that grant is not its own.
    const holder = await lock(a, "reborn", { expireMs: 60_000 });
    // Expected from the start: a busy machine's waiter may look, and find its ticket gone, before
    // the new ticket 2 is taken.
    const lost = assert.rejects(lock(b, "reborn", { expireMs: 60_000 }), LeaseLostError);
    await users(a, "reborn", 2);
    await forgetLock(a, "reborn");
    const first = await lock(c, "reborn", { ...quick, waitMs: 0 }); // ticket 1 again
    const second = await c.lock.enqueue("reborn", ask()); // ticket 2: the waiter's number
    assert.equal(second.outcome === "queued" && second.ticket, 2);
    await first.release(); // grants ticket 2, the new one
    await lost;
    await holder.release();
  },
);

conformance(
  "a fencing token beyond 2^53 that another program left is refused",
  async ({ open }) => {
    const backend = await open();
    await (await lock(backend, "huge", quick)).release();
    // Beyond 2^53 a token no longer survives being read as a number and written back.
    await rewindLock(backend, "huge", { tickets: 1, token: 2 ** 60 });
    await assert.rejects(lock(backend, "huge", quick), ForeignDataError);
  },
);

conformance("tokens never repeat after the lock's counters went back", async ({ open }) => {
  const backend = await open();
  const first = await lock(backend, "rollback", quick);
  await first.release();
  const second = await lock(backend, "rollback", quick);
  await second.release();
  // As a failover to a replica that saw the first grant but missed the second would.
  await rewindLock(backend, "rollback", { tickets: 1, token: first.token });
  const third = await lock(backend, "rollback", quick);
  assert.ok(third.token > second.token, `token ${third.token} after ${second.token}`);
  await third.release();
});

conformance(
  "an enqueue sent again with its request id gets the ticket it took",
  async ({ open }) => {
    const steps = (await open()).lock;
    const mine = ask();
    const first = await steps.enqueue("again", mine);
    assert.deepEqual(await steps.enqueue("again", mine), first, "a lost reply, sent again");
    const other = ask();
    const waiting = await steps.enqueue("again", other);
    const replayed = await steps.enqueue("again", other);
    assert.equal(replayed.outcome === "queued" && replayed.state, "waiting");
    const ticketOf = (r: typeof first) => r.outcome === "queued" && [r.ticket, r.token];
    assert.deepEqual(ticketOf(replayed), ticketOf(waiting));
    assert.deepEqual((await steps.status("again"))?.users.map((u) => u.ticket), [1, 2]);
    // Once its ticket is gone, the id is forgotten: the same id takes a new ticket.
    await steps.release("again", { ticket: 1, unlessGranted: false });
    const later = await steps.enqueue("again", mine);
    assert.equal(later.outcome === "queued" && later.ticket, 3);
  },
);
