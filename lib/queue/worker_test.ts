import assert from "node:assert/strict";
import { connect } from "../backend/connect.ts";
import { work } from "./worker.ts";

Deno.test("work() names its options as a program gives them, not as the CLI's flags", async () => {
  await using backend = await connect({ url: "sqlite::memory:" });
  for (
    const [options, message] of [
      [
        { concurrency: 0 },
        /^UsageError: concurrency must be a whole number from 1 to 10000, got 0$/,
      ],
      [{ leaseMs: 100 }, /^UsageError: leaseMs must be .*300.*, got 100$/],
      [{ graceMs: -1 }, /^UsageError: graceMs must be .*, got -1$/],
    ] as const
  ) {
    await assert.rejects(work(backend, ["q"], options), message);
  }
});
