import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { checkConnectOptions, connect } from "./connect.ts";
import { silentServer } from "../../tests/support/silent_server.ts";
import { guarded } from "../../tests/support/wait.ts";

Deno.test("connect() given the URL alone says how to call it, not the password", async () => {
  // Before: read as no options, it opened the default SQLite file instead of the Redis named.
  await assert.rejects(
    connect("redis://:s3cret@127.0.0.1:1" as never),
    (e) =>
      e instanceof UsageError && /connect\(\{ url: … \}\)/.test(e.message) &&
      !e.message.includes("s3cret"),
  );
});

Deno.test("connect() refuses an empty URL, and takes COORD_URL set empty as unset", async () => {
  const state = await Deno.makeTempDir();
  try {
    // It opened the default SQLite file: `--url "$TYPO"` went to another backend without a word.
    await assert.rejects(
      connect({ url: "", env: { XDG_STATE_HOME: state } }),
      new UsageError(
        "the backend URL is empty — give one (sqlite:PATH, redis://HOST…, postgres://…), or " +
          "none for the default",
      ),
    );
    assert.deepEqual([...Deno.readDirSync(state)], [], "nothing made");
    await using backend = await connect({ env: { COORD_URL: "", XDG_STATE_HOME: state } });
    assert.equal(backend.displayUrl, `sqlite:${state}/coord/coord.db`);
  } finally {
    await Deno.remove(state, { recursive: true });
  }
});

Deno.test("checkConnectOptions() refuses what connect() refuses, and opens nothing", () => {
  assert.throws(() => checkConnectOptions({ url: "" }), UsageError);
  assert.throws(() => checkConnectOptions({ namespace: "" }), UsageError);
  assert.throws(
    () => checkConnectOptions({ env: { COORD_URL: "bogus://x" } }),
    /COORD_URL: unsupported backend URL/,
  );
  // Nothing listens on port 1: a connection would have failed.
  checkConnectOptions({ url: "redis://127.0.0.1:1" });
});

Deno.test("connect() gives up at its signal on a server that never answers, leaving nothing open", async (t) => {
  for (const kind of ["redis", "cluster", "sentinel", "postgres"] as const) {
    await t.step(kind, async () => {
      await using silent = silentServer();
      const stop = new AbortController();
      const opening = connect({
        url: silent.url(kind),
        connectTimeoutMs: 3_600_000,
        signal: stop.signal,
        env: {},
      });
      await guarded(silent.accepted, "connection from the attempt");
      stop.abort(new Error("stopped by SIGTERM"));
      // Before: the attempt went on to its connect timeout, an hour.
      await assert.rejects(guarded(opening, "give-up", 30_000), /^Error: stopped by SIGTERM$/);
      await guarded(silent.dropped(), "close of the attempt's connection", 30_000);
    });
  }
});

Deno.test("connect() refuses a lockedWaitMs that is no wait", async () => {
  for (const lockedWaitMs of [-1, NaN]) {
    await assert.rejects(
      connect({ url: "sqlite::memory:", lockedWaitMs }),
      new UsageError(`lockedWaitMs must be 0 or more milliseconds, got ${lockedWaitMs}`),
    );
  }
});
