import assert from "node:assert/strict";
import { BackendUnavailableError, BackendUnreachableError } from "../errors.ts";
import { awaitBackend } from "./await_backend.ts";
import type { Backend } from "./types.ts";

const away = () => Promise.reject(new BackendUnreachableError("cannot reach redis://h:1"));

Deno.test("awaitBackend() tries an unreachable server again, saying so once", async () => {
  let tries = 0;
  const told: string[] = [];
  const backend = { kind: "redis" } as Backend;
  const opened = await awaitBackend(() => ++tries < 3 ? away() : Promise.resolve(backend), {
    limitMs: 60_000,
    onUnreachable: (e) => told.push(e.message),
  });
  assert.equal(opened, backend);
  assert.equal(tries, 3);
  assert.deepEqual(told, ["cannot reach redis://h:1"]);
});

Deno.test("awaitBackend() gives up after its limit, saying how long it waited", async () => {
  await assert.rejects(
    awaitBackend(away, { limitMs: 50 }),
    (e) =>
      e instanceof BackendUnreachableError &&
      /^cannot reach redis:\/\/h:1 \(waited \d+ ms for it\)$/.test(e.message),
  );
  // A limit of 0 tries once, and says what that try met.
  await assert.rejects(
    awaitBackend(away, { limitMs: 0 }),
    /^BackendUnreachableError: cannot reach redis:\/\/h:1$/,
  );
});

Deno.test("awaitBackend() does not try again a failure other than a server away", async () => {
  let tries = 0;
  const refused = () => {
    tries++;
    return Promise.reject(
      new BackendUnavailableError("cannot reach redis://h:1: authentication failed"),
    );
  };
  await assert.rejects(awaitBackend(refused, { limitMs: 60_000 }), /authentication failed/);
  assert.equal(tries, 1);
});

Deno.test("awaitBackend() stops at its signal, a try under way too, closing what it opens", async () => {
  const stop = new AbortController();
  let closed = false;
  let openLate!: () => void;
  const backend = { kind: "redis", close: () => Promise.resolve(void (closed = true)) } as Backend;
  // A try held by a server that does not answer, for up to the connect timeout.
  const held = () => new Promise<Backend>((resolve) => openLate = () => resolve(backend));
  const waiting = awaitBackend(held, { limitMs: 60_000, signal: stop.signal });
  stop.abort(new Error("stopped by SIGTERM"));
  await assert.rejects(waiting, /^Error: stopped by SIGTERM$/);
  openLate();
  await Promise.resolve();
  assert.ok(closed, "the backend the try opened after the stop was closed");
  // Between tries too.
  const between = new AbortController();
  const retrying = awaitBackend(away, { limitMs: 60_000, signal: between.signal });
  setTimeout(() => between.abort(new Error("stopped by SIGINT")), 50);
  await assert.rejects(retrying, /^Error: stopped by SIGINT$/);
});

Deno.test("awaitBackend() tells onRetry each failed try's cause, the latest last", async () => {
  const causes = ["cannot reach redis://h:1: name not found", "cannot reach redis://h:1: refused"];
  let tries = 0;
  const retried: string[] = [];
  const told: string[] = [];
  const backend = { kind: "redis" } as Backend;
  const open = () =>
    tries < causes.length
      ? Promise.reject(new BackendUnreachableError(causes[tries++]))
      : Promise.resolve(backend);
  await awaitBackend(open, {
    limitMs: 60_000,
    onUnreachable: (e) => told.push(e.message),
    onRetry: (e) => retried.push(e.message),
  });
  assert.deepEqual(retried, causes);
  assert.deepEqual(told, [causes[0]], "the once-only callback was told again");
});
