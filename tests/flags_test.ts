/** The flag readers every command shares. */

import assert from "node:assert/strict";
import { UsageError } from "../lib/errors.ts";
import { parseFlags, secondsFlag } from "../commands/flags.ts";

Deno.test("secondsFlag() reads seconds and crontab-style units alike", () => {
  assert.equal(secondsFlag("lock", "wait", "30", 0), 30_000);
  assert.equal(secondsFlag("lock", "wait", "30s", 0), 30_000);
  assert.equal(secondsFlag("lock", "wait", "2m", 0), 120_000);
  assert.equal(secondsFlag("lock", "wait", "500ms", 0), 500);
  assert.equal(secondsFlag("lock", "wait", undefined, 7), 7);
});

Deno.test("secondsFlag() refuses more than 24 days unless told a larger bound", () => {
  assert.throws(() => secondsFlag("lock", "wait", "25d", 0), /at most 24 days/);
  assert.equal(
    secondsFlag("queue", "delay", "25d", 0, { maxMs: 365 * 86_400_000 }),
    25 * 86_400_000,
  );
});

Deno.test("secondsFlag() refuses less than a floor it is given, naming the flag", () => {
  assert.throws(() => secondsFlag("lock", "expire", "0.1", 0, { minMs: 300 }), /--expire .*0\.3 s/);
  assert.equal(secondsFlag("lock", "expire", "300ms", 0, { minMs: 300 }), 300);
});

Deno.test("parseFlags() hands a negative value to the flag's own check", () => {
  const { values } = parseFlags("lock", ["--wait", "-1"], { wait: { type: "string" } });
  assert.equal(values.wait, "-1");
  assert.throws(() => secondsFlag("lock", "wait", values.wait, 0), (e) => {
    assert.ok(e instanceof UsageError);
    assert.match(e.message, /--wait takes seconds ≥ 0/);
    return true;
  });
});

Deno.test("parseFlags() keeps a negative number among the positionals, in its place", () => {
  const { positionals } = parseFlags("barrier", ["x", "-1", "--json", "-0.5"], {
    json: { type: "boolean" },
  });
  assert.deepEqual(positionals, ["x", "-1", "-0.5"]);
});
