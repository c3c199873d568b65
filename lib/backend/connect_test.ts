import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { connect } from "./connect.ts";

Deno.test("connect() given the URL alone says how to call it, not the password", async () => {
  // Before: read as no options, it opened the default SQLite file instead of the Redis named.
  await assert.rejects(
    connect("redis://:s3cret@127.0.0.1:1" as never),
    (e) =>
      e instanceof UsageError && /connect\(\{ url: … \}\)/.test(e.message) &&
      !e.message.includes("s3cret"),
  );
});
