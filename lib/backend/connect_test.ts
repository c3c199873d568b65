import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { checkConnectOptions, connect } from "./connect.ts";

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
