/** The flag readers every command shares. */

import assert from "node:assert/strict";
import { UsageError } from "../lib/errors.ts";
import { countArg, parseFlags, secondsFlag } from "../commands/flags.ts";

Deno.test("secondsFlag() reads seconds and crontab-style units alike", () => {
  assert.equal(secondsFlag("lock", "wait", "30", 0), 30_000);
  assert.equal(secondsFlag("lock", "wait", "30s", 0), 30_000);
  assert.equal(secondsFlag("lock", "wait", "2m", 0), 120_000);
  assert.equal(secondsFlag("lock", "wait", "500ms", 0), 500);
  assert.equal(secondsFlag("lock", "wait", undefined, 7), 7);
});

Deno.test("secondsFlag() refuses a duration giving a unit twice, naming the flag", () => {
  // Before: 1h1h was read as 2h.
  assert.throws(
    () => secondsFlag("lock", "expire", "1h1h", 0),
    (e) => e instanceof UsageError && /^--expire .*each unit once\), got "1h1h"/.test(e.message),
  );
  assert.equal(secondsFlag("lock", "expire", "1h30m", 0), 5_400_000);
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

Deno.test("secondsFlag() names the real floor when a value is below it or no number", () => {
  // It said "takes seconds ≥ 0" for --expire, whose floor is 0.3.
  assert.throws(
    () => secondsFlag("lock", "expire", "-5", 0, { minMs: 300 }),
    /^UsageError: --expire takes seconds ≥ 0\.3 \(30, 0\.5\) or a duration .*got "-5" — see coord lock --help$/,
  );
  assert.throws(() => secondsFlag("lock", "patience", "-1", 0, { positive: true }), /seconds > 0 /);
  assert.throws(() => secondsFlag("lock", "wait", "-1", 0), /--wait takes seconds ≥ 0 /);
});

Deno.test("secondsFlag() refuses 0 where the flag must be positive, naming the flag", () => {
  for (const text of ["0", "0s", "0.0", "0ms"]) {
    assert.throws(
      () => secondsFlag("lock", "patience", text, 0, { positive: true }),
      (e) => {
        assert.ok(e instanceof UsageError);
        assert.equal(
          e.message,
          `--patience must be more than 0, got "${text}" — see coord lock --help`,
        );
        return true;
      },
    );
  }
  assert.equal(secondsFlag("lock", "patience", "0.001", 0, { positive: true }), 1);
});

Deno.test("secondsFlag() refuses what README does not document as a duration", () => {
  for (const text of ["1e3", " 5", "5 ", "+5", ".5", "Infinity", "5 s"]) {
    assert.throws(() => secondsFlag("lock", "wait", text, 0), /--wait takes seconds/, text);
  }
  for (const [text, ms] of [["30", 30_000], ["0.5", 500], ["1h30m", 5_400_000], ["1.5s", 1_500]]) {
    assert.equal(secondsFlag("lock", "wait", text as string, 0), ms);
  }
});

Deno.test("parseFlags() refuses a one-value flag given two values, and takes one given twice", () => {
  const options = { state: { type: "string" }, verbose: { type: "boolean" } } as const;
  // parseArgs kept the last: `purge --state completed --state failed` purged the failed only.
  assert.throws(
    () => parseFlags("queue", ["--state", "completed", "--state", "failed"], options),
    (e: unknown) => e instanceof UsageError && /--state is given twice/.test(e.message),
  );
  const { values } = parseFlags(
    "queue",
    ["--state=failed", "--state", "failed"],
    options,
  );
  assert.equal(values.state, "failed");
  assert.equal(parseFlags("queue", ["--verbose", "--verbose"], options).values.verbose, true);
});

Deno.test("parseFlags() reads what follows -- as positionals, but as the command where one runs", () => {
  const options = { json: { type: "boolean" } } as const;
  const plain = parseFlags("queue", ["q/1", "--", "--json", "-odd/2"], options);
  assert.deepEqual([plain.positionals, plain.rest, plain.values.json], [
    ["q/1", "--json", "-odd/2"],
    [],
    undefined,
  ]);
  const run = parseFlags("lock", ["r", "--", "sh", "--json"], options, { takesCommand: true });
  assert.deepEqual([run.positionals, run.rest], [["r"], ["sh", "--json"]]);
});

Deno.test("countArg() takes digits only: no spaces around them", () => {
  assert.equal(countArg("barrier", "N", "2"), 2);
  for (const text of [" 2", "2 ", "+2", "2.0"]) {
    assert.throws(() => countArg("barrier", "N", text), /N must be a whole number ≥ 1/, text);
  }
});

Deno.test("parseFlags() says how to give a value starting with -, which parseArgs calls ambiguous", () => {
  // Before: `option "--label" argument is ambiguous`, the way out cut from parseArgs' message.
  const options = { label: { type: "string", short: "l" }, json: { type: "boolean" } } as const;
  for (
    const [argv, line] of [
      [
        ["--label", "-x y"],
        `--label takes a value, and "-x y" starts with - — write --label='-x y'`,
      ],
      [["-l", "-x"], `--label takes a value, and "-x" starts with - — write --label=-x`],
      [["--label", "--json"], `--label takes a value, and "--json" starts with - — write --label=`],
    ] as const
  ) {
    assert.throws(
      () => parseFlags("lock", [...argv], options),
      (e) => e instanceof UsageError && e.message.startsWith(line),
    );
  }
  assert.equal(parseFlags("lock", ["--label=-x"], options).values.label, "-x");
});
