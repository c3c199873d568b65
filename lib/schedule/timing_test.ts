import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import {
  parseDuration,
  parseTiming,
  storedTiming,
  type Timing,
  type TimingOptions,
} from "./timing.ts";

/** Ticks are compared as ISO strings, so a failure shows the instants, not epoch numbers. */
function iso(ms: number | undefined): string | undefined {
  return ms === undefined ? undefined : new Date(ms).toISOString();
}

function nextAfter(timing: Timing, instant: string): string | undefined {
  return iso(timing.next(Date.parse(instant)));
}

function latestAt(timing: Timing, instant: string): string | undefined {
  return iso(timing.latest(Date.parse(instant)));
}

/** Every tick in (from, to], found by walking next() as the scheduler does. */
function ticksBetween(timing: Timing, from: string, to: string): string[] {
  const ticks: string[] = [];
  const end = Date.parse(to);
  for (
    let at = timing.next(Date.parse(from));
    at !== undefined && at <= end;
    at = timing.next(at)
  ) {
    ticks.push(iso(at)!);
  }
  return ticks;
}

function assertUsageError(options: TimingOptions, message: RegExp): void {
  assert.throws(() => parseTiming(options), (e) => {
    assert.ok(e instanceof UsageError, `a UsageError, not ${e}`);
    assert.equal(e.exitCode, 64);
    assert.match(e.message, message);
    return true;
  });
}

Deno.test("parseDuration() reads units and adds them up", () => {
  assert.equal(parseDuration("30s"), 30_000);
  assert.equal(parseDuration("1h30m"), 5_400_000);
  assert.equal(parseDuration("250ms"), 250);
  assert.equal(parseDuration("1m30s"), 90_000);
  assert.equal(parseDuration("1.5s"), 1_500);
  assert.equal(parseDuration("2d"), 172_800_000);
});

Deno.test("parseDuration() takes a number as milliseconds", () => {
  assert.equal(parseDuration(1500), 1500);
});

Deno.test("parseDuration() rejects zero, negative, unitless and unreadable durations", () => {
  for (const text of ["0s", "-1s", "abc", "10", "", "1h 30m", "30S", 0, -5, Infinity, NaN]) {
    assert.throws(() => parseDuration(text), (e) => {
      assert.ok(e instanceof UsageError, `${JSON.stringify(text)}: a UsageError, not ${e}`);
      assert.match(e.message, /is not a positive duration — write e\.g\. 30s/);
      return true;
    });
  }
});

Deno.test("parseDuration() names what it was reading in its message", () => {
  assert.throws(() => parseDuration("soon", "lease"), /^UsageError: lease "soon" is not/);
  // JSON spells these null.
  assert.throws(() => parseDuration(NaN, "interval"), /^UsageError: interval NaN is not/);
  assert.throws(() => parseDuration(-Infinity, "lease"), /^UsageError: lease -Infinity is not/);
});

Deno.test("parseTiming() reads a 5-field cron expression minute first", () => {
  const timing = parseTiming({ cron: "*/15 9 * * *" });
  assert.equal(nextAfter(timing, "2026-01-01T00:00:00Z"), "2026-01-01T09:00:00.000Z");
  assert.equal(nextAfter(timing, "2026-01-01T09:07:00Z"), "2026-01-01T09:15:00.000Z");
  assert.equal(nextAfter(timing, "2026-01-01T09:45:00Z"), "2026-01-02T09:00:00.000Z");
});

Deno.test("parseTiming() reads a 6-field cron expression seconds first", () => {
  const timing = parseTiming({ cron: "*/10 * * * * *" });
  assert.equal(nextAfter(timing, "2026-01-01T00:00:01Z"), "2026-01-01T00:00:10.000Z");
  assert.equal(nextAfter(timing, "2026-01-01T00:00:11Z"), "2026-01-01T00:00:20.000Z");
  assert.equal(nextAfter(timing, "2026-01-01T00:00:55Z"), "2026-01-01T00:01:00.000Z");
});

Deno.test('parseTiming() reads seconds last with secondsField "last", as pyncette and croniter do', () => {
  const timing = parseTiming({ cron: "* * * * * */10", secondsField: "last" });
  assert.equal(nextAfter(timing, "2026-01-01T00:00:01Z"), "2026-01-01T00:00:10.000Z");
  assert.equal(nextAfter(timing, "2026-01-01T00:00:11Z"), "2026-01-01T00:00:20.000Z");
});

Deno.test("parseTiming() reads the sixth field as the day of week without secondsField", () => {
  // `*/10` is no day of week: croner refuses it rather than guess.
  assertUsageError({ cron: "* * * * * */10" }, /"\* \* \* \* \* \*\/10" is malformed/);
  // `1` is: every second on Mondays (2026-01-01 is a Thursday), not second 1 of each minute.
  const mondays = parseTiming({ cron: "* * * * * 1" });
  const secondOne = parseTiming({ cron: "* * * * * 1", secondsField: "last" });
  assert.equal(nextAfter(mondays, "2026-01-01T00:00:05Z"), "2026-01-05T00:00:00.000Z");
  assert.equal(nextAfter(secondOne, "2026-01-01T00:00:05Z"), "2026-01-01T00:01:01.000Z");
});

Deno.test("parseTiming() suggests seconds last for a 6-field expression that reads only that way", () => {
  for (const cron of ["0 */5 * * * 30", "* * * * * */10"]) {
    assertUsageError({ cron }, /is malformed: .* — if its seconds come last .*seconds=last/);
  }
  // Malformed either way round: no hint that would not help.
  assertUsageError({ cron: "61 * * * * 61" }, /is malformed: [^—]*$/);
});

Deno.test("parseTiming() ignores secondsField for a 5-field expression", () => {
  const timing = parseTiming({ cron: "0 9 * * *", secondsField: "last" });
  assert.equal(nextAfter(timing, "2026-01-01T00:00:00Z"), "2026-01-01T09:00:00.000Z");
});

Deno.test("parseTiming() reads @hourly and @daily", () => {
  const hourly = parseTiming({ cron: "@hourly" });
  const daily = parseTiming({ cron: "@daily" });
  assert.equal(nextAfter(hourly, "2026-01-01T00:30:00Z"), "2026-01-01T01:00:00.000Z");
  assert.equal(nextAfter(daily, "2026-01-01T00:30:00Z"), "2026-01-02T00:00:00.000Z");
});

Deno.test("parseTiming() aligns @every to the epoch, not to when it was asked", () => {
  const timing = parseTiming({ cron: "@every 30s" });
  assert.equal(nextAfter(timing, "2026-01-01T00:00:07Z"), "2026-01-01T00:00:30.000Z");
  assert.equal(nextAfter(timing, "2026-01-01T00:00:29.999Z"), "2026-01-01T00:00:30.000Z");
  assert.equal(iso(timing.first(Date.parse("2026-01-01T00:00:07Z"))), "2026-01-01T00:00:30.000Z");
});

Deno.test("parseTiming() reads an interval of milliseconds or a duration", () => {
  const fast = parseTiming({ interval: "250ms" });
  assert.equal(nextAfter(fast, "2026-01-01T00:00:00.100Z"), "2026-01-01T00:00:00.250Z");
  assert.equal(nextAfter(fast, "2026-01-01T00:00:00.250Z"), "2026-01-01T00:00:00.500Z");
  assert.equal(latestAt(fast, "2026-01-01T00:00:00.499Z"), "2026-01-01T00:00:00.250Z");
  const number = parseTiming({ interval: 1500 });
  assert.equal(nextAfter(number, "2026-01-01T00:00:00Z"), "2026-01-01T00:00:01.500Z");
});

Deno.test("parseTiming() gives executeAt's instant as the next tick only before it", () => {
  const timing = parseTiming({ executeAt: "2026-01-01T12:00:00Z" });
  assert.equal(nextAfter(timing, "2026-01-01T11:59:59.999Z"), "2026-01-01T12:00:00.000Z");
  assert.equal(nextAfter(timing, "2026-01-01T12:00:00Z"), undefined);
  assert.equal(nextAfter(timing, "2026-01-01T13:00:00Z"), undefined);
});

Deno.test("parseTiming() starts executeAt at its instant even when it is past", () => {
  const timing = parseTiming({ executeAt: "2026-01-01T12:00:00Z" });
  assert.equal(iso(timing.first(Date.parse("2026-01-02T00:00:00Z"))), "2026-01-01T12:00:00.000Z");
  assert.equal(iso(timing.first(Date.parse("2026-01-01T00:00:00Z"))), "2026-01-01T12:00:00.000Z");
});

Deno.test("parseTiming() gives executeAt's instant as the latest tick from it on", () => {
  const timing = parseTiming({ executeAt: "2026-01-01T12:00:00Z" });
  assert.equal(latestAt(timing, "2026-01-01T11:59:59.999Z"), undefined);
  assert.equal(latestAt(timing, "2026-01-01T12:00:00Z"), "2026-01-01T12:00:00.000Z");
  assert.equal(latestAt(timing, "2026-01-05T00:00:00Z"), "2026-01-01T12:00:00.000Z");
});

Deno.test("parseTiming() takes executeAt as a Date, an ISO string or epoch ms alike", () => {
  const instant = "2026-01-01T12:00:00.000Z";
  const specs = [new Date(instant), instant, Date.parse(instant)].map((executeAt) =>
    parseTiming({ executeAt }).spec
  );
  assert.deepEqual(specs, [`at ${instant}`, `at ${instant}`, `at ${instant}`]);
});

Deno.test("parseTiming() gives the following tick for an instant exactly on a tick", () => {
  const seconds = parseTiming({ cron: "*/10 * * * * *" });
  assert.equal(nextAfter(seconds, "2026-01-01T00:00:30Z"), "2026-01-01T00:00:40.000Z");
  const daily = parseTiming({ cron: "0 9 * * *" });
  assert.equal(nextAfter(daily, "2026-01-01T09:00:00Z"), "2026-01-02T09:00:00.000Z");
  const every = parseTiming({ cron: "@every 30s" });
  assert.equal(nextAfter(every, "2026-01-01T00:00:30Z"), "2026-01-01T00:01:00.000Z");
});

Deno.test("parseTiming() gives the following tick for an instant inside a tick's second", () => {
  const seconds = parseTiming({ cron: "*/10 * * * * *" });
  assert.equal(nextAfter(seconds, "2026-01-01T00:00:30.500Z"), "2026-01-01T00:00:40.000Z");
  assert.equal(nextAfter(seconds, "2026-01-01T00:00:30.001Z"), "2026-01-01T00:00:40.000Z");
  assert.equal(nextAfter(seconds, "2026-01-01T00:00:29.999Z"), "2026-01-01T00:00:30.000Z");
});

Deno.test("parseTiming() gives the latest tick at or before an instant", () => {
  const seconds = parseTiming({ cron: "*/10 * * * * *" });
  assert.equal(latestAt(seconds, "2026-01-01T00:00:30Z"), "2026-01-01T00:00:30.000Z");
  assert.equal(latestAt(seconds, "2026-01-01T00:00:30.500Z"), "2026-01-01T00:00:30.000Z");
  assert.equal(latestAt(seconds, "2026-01-01T00:00:29.999Z"), "2026-01-01T00:00:20.000Z");
  const every = parseTiming({ cron: "@every 30s" });
  assert.equal(latestAt(every, "2026-01-01T00:00:30Z"), "2026-01-01T00:00:30.000Z");
  assert.equal(latestAt(every, "2026-01-01T00:00:59Z"), "2026-01-01T00:00:30.000Z");
});

Deno.test("parseTiming() reads a cron expression in its time zone, summer and winter", () => {
  const timing = parseTiming({ cron: "0 9 * * *", timezone: "Europe/Ljubljana" });
  assert.equal(nextAfter(timing, "2026-01-15T00:00:00Z"), "2026-01-15T08:00:00.000Z");
  assert.equal(nextAfter(timing, "2026-07-15T00:00:00Z"), "2026-07-15T07:00:00.000Z");
  assert.equal(latestAt(timing, "2026-07-15T12:00:00Z"), "2026-07-15T07:00:00.000Z");
});

Deno.test("parseTiming() runs a time skipped by spring forward once, at 03:00 local", () => {
  // 2026-03-29 in Ljubljana: 02:00 CET jumps to 03:00 CEST, so 02:30 does not exist.
  const timing = parseTiming({ cron: "30 2 * * *", timezone: "Europe/Ljubljana" });
  assert.deepEqual(
    ticksBetween(timing, "2026-03-28T23:00:00Z", "2026-03-29T22:00:00Z"), // that local day
    ["2026-03-29T01:00:00.000Z"],
  );
  assert.equal(nextAfter(timing, "2026-03-29T01:00:00Z"), "2026-03-30T00:30:00.000Z");
  assert.equal(latestAt(timing, "2026-03-29T12:00:00Z"), "2026-03-29T01:00:00.000Z");
});

Deno.test("parseTiming() runs a time repeated by fall back once, at its first occurrence", () => {
  // 2026-10-25 in Ljubljana: 03:00 CEST falls back to 02:00 CET, so 02:30 happens twice.
  const timing = parseTiming({ cron: "30 2 * * *", timezone: "Europe/Ljubljana" });
  assert.deepEqual(
    ticksBetween(timing, "2026-10-24T22:00:00Z", "2026-10-25T23:00:00Z"), // that local day
    ["2026-10-25T00:30:00.000Z"],
  );
  // Fast-forward must not pick the second 02:30 that next() never gives.
  assert.equal(latestAt(timing, "2026-10-25T01:45:00Z"), "2026-10-25T00:30:00.000Z");
});

/**
 * Daylight-saving days, 2026: New York jumps 02:00 EST → 03:00 EDT on 03-08 (07:00Z) and falls
 * 02:00 EDT → 01:00 EST on 11-01 (06:00Z); Ljubljana 02:00 CET → 03:00 CEST on 03-29 (01:00Z),
 * 03:00 CEST → 02:00 CET on 10-25 (01:00Z); Lord Howe moves by 30 minutes: 02:00 → 02:30 on
 * 10-04 (10-03 15:30Z), 02:00 → 01:30 on 04-05 (04-04 15:00Z).
 *
 * Each row: zone, expression, an instant, the ticks after it. Fixed-time jobs (no `*` starting
 * the seconds, minute or hour field) run a skipped time once at the gap's end and a repeated
 * time once, the first time; wildcard jobs run as the wall clock passes.
 */
const DST_NEXT: [string, string, string, string[]][] = [
  // Spring forward, fixed-time: before the gap, at its end (the gap's tick just ran), after.
  ["America/New_York", "30 1,2,3 * * *", "2026-03-08T06:58:30Z", [
    "2026-03-08T07:00:00.000Z", // 02:30 does not exist: at 03:00 EDT
    "2026-03-08T07:30:00.000Z", // 03:30 EDT
    "2026-03-09T05:30:00.000Z", // 01:30 EDT the next day
  ]],
  ["America/New_York", "30 1,2,3 * * *", "2026-03-08T07:00:00Z", ["2026-03-08T07:30:00.000Z"]],
  ["America/New_York", "30 1,2,3 * * *", "2026-03-08T07:15:00Z", ["2026-03-08T07:30:00.000Z"]],
  ["America/New_York", "30 2 * * *", "2026-03-08T06:00:00Z", [
    "2026-03-08T07:00:00.000Z",
    "2026-03-09T06:30:00.000Z",
  ]],
  ["America/New_York", "23 0-20/2 * * *", "2026-03-08T05:30:00Z", [
    "2026-03-08T07:00:00.000Z",
    "2026-03-08T08:23:00.000Z",
  ]],
  // Two skipped times run once, at the gap's end.
  ["America/New_York", "0 15,45 2 * * *", "2026-03-08T06:00:00Z", [
    "2026-03-08T07:00:00.000Z",
    "2026-03-09T06:15:00.000Z",
  ]],
  ["Europe/Ljubljana", "23 0-20/2 * * *", "2026-03-28T23:30:00Z", [
    "2026-03-29T01:00:00.000Z",
    "2026-03-29T02:23:00.000Z",
  ]],
  ["Australia/Lord_Howe", "23 0-20/2 * * *", "2026-10-03T14:00:00Z", [
    "2026-10-03T15:30:00.000Z", // 02:23 does not exist: at 02:30 (+11)
    "2026-10-03T17:23:00.000Z",
  ]],
  // Fall back, fixed-time: before the repeated hour, in its first pass, in its second, after.
  ["America/New_York", "30 1,2,3 * * *", "2026-11-01T05:00:00Z", [
    "2026-11-01T05:30:00.000Z", // 01:30 EDT; not 01:30 EST again
    "2026-11-01T07:30:00.000Z",
    "2026-11-01T08:30:00.000Z",
  ]],
  ["America/New_York", "30 1,2,3 * * *", "2026-11-01T05:45:00Z", ["2026-11-01T07:30:00.000Z"]],
  ["America/New_York", "30 1,2,3 * * *", "2026-11-01T06:15:00Z", ["2026-11-01T07:30:00.000Z"]],
  ["America/New_York", "30 1,2,3 * * *", "2026-11-01T07:45:00Z", ["2026-11-01T08:30:00.000Z"]],
  ["Europe/Ljubljana", "23 0-20/2 * * *", "2026-10-24T23:00:00Z", [
    "2026-10-25T00:23:00.000Z", // 02:23 CEST; not 02:23 CET again
    "2026-10-25T03:23:00.000Z",
  ]],
  ["Australia/Lord_Howe", "15,45 1 * * *", "2026-04-04T14:00:00Z", [
    "2026-04-04T14:15:00.000Z",
    "2026-04-04T14:45:00.000Z", // 01:45 (+11); not 01:45 (+10:30) again
    "2026-04-05T14:45:00.000Z",
  ]],
  // Wildcard jobs: each wall time as it passes, so twice in a repeated hour, never in a gap.
  ["America/New_York", "*/30 * * * *", "2026-11-01T05:00:00Z", [
    "2026-11-01T05:30:00.000Z",
    "2026-11-01T06:00:00.000Z",
    "2026-11-01T06:30:00.000Z",
    "2026-11-01T07:00:00.000Z",
  ]],
  ["America/New_York", "*/30 * * * *", "2026-03-08T06:30:00Z", [
    "2026-03-08T07:00:00.000Z",
    "2026-03-08T07:30:00.000Z",
  ]],
  ["America/New_York", "@hourly", "2026-11-01T05:30:00Z", [
    "2026-11-01T06:00:00.000Z",
    "2026-11-01T07:00:00.000Z",
  ]],
  ["America/New_York", "*/15 2 * * *", "2026-03-08T05:00:00Z", ["2026-03-09T06:00:00.000Z"]],
  ["Australia/Lord_Howe", "*/20 * * * *", "2026-10-03T15:00:00Z", [
    "2026-10-03T15:10:00.000Z",
    "2026-10-03T15:40:00.000Z",
    "2026-10-03T16:00:00.000Z",
  ]],
];

for (const [timezone, cron, from, expected] of DST_NEXT) {
  Deno.test(`parseTiming() "${cron}" in ${timezone}: the ticks after ${from}`, () => {
    const timing = parseTiming({ cron, timezone });
    const ticks: string[] = [];
    for (let at = Date.parse(from); ticks.length < expected.length;) {
      at = timing.next(at)!;
      ticks.push(iso(at)!);
    }
    assert.deepEqual(ticks, expected);
  });
}

/** Each row: zone, expression, an instant, the latest tick at or before it (fast-forward). */
const DST_LATEST: [string, string, string, string][] = [
  ["America/New_York", "30 1,2,3 * * *", "2026-03-08T06:59:00Z", "2026-03-08T06:30:00.000Z"],
  ["America/New_York", "30 1,2,3 * * *", "2026-03-08T07:10:00Z", "2026-03-08T07:00:00.000Z"],
  ["Australia/Lord_Howe", "23 0-20/2 * * *", "2026-10-03T16:00:00Z", "2026-10-03T15:30:00.000Z"],
  // The second pass of a repeated hour: its times ran in the first.
  ["America/New_York", "30 1,2,3 * * *", "2026-11-01T06:45:00Z", "2026-11-01T05:30:00.000Z"],
  ["America/New_York", "30 1,2,3 * * *", "2026-11-01T07:40:00Z", "2026-11-01T07:30:00.000Z"],
  ["Europe/Ljubljana", "23 0-20/2 * * *", "2026-10-25T01:30:00Z", "2026-10-25T00:23:00.000Z"],
  ["America/New_York", "*/30 * * * *", "2026-11-01T06:45:00Z", "2026-11-01T06:30:00.000Z"],
];

for (const [timezone, cron, at, expected] of DST_LATEST) {
  Deno.test(`parseTiming() "${cron}" in ${timezone}: the latest tick at ${at}`, () => {
    assert.equal(latestAt(parseTiming({ cron, timezone }), at), expected);
  });
}

Deno.test("parseTiming() refuses a task without a timing", () => {
  assertUsageError({}, /needs a timing — give cron, interval or executeAt/);
});

Deno.test("parseTiming() refuses a task with two timings, naming them", () => {
  assertUsageError({ cron: "* * * * *", interval: "1s" }, /one timing, not cron and interval/);
  assertUsageError(
    { interval: 1000, executeAt: "2026-01-01T00:00:00Z" },
    /not interval and executeAt/,
  );
});

Deno.test("parseTiming() refuses a malformed cron expression, quoting it", () => {
  assertUsageError({ cron: "61 * * * *" }, /^cron expression "61 \* \* \* \*" is malformed: .*61/);
  assertUsageError({ cron: "* * * *" }, /"\* \* \* \*" is malformed/);
  assertUsageError({ cron: "* * * * * * *" }, /"\* \* \* \* \* \* \*" is malformed/);
  assertUsageError({ cron: "@reboot" }, /"@reboot" is malformed/);
});

Deno.test("parseTiming() refuses @every without a positive duration", () => {
  assertUsageError({ cron: "@every 0s" }, /^@every "0s" is not a positive duration/);
  assertUsageError({ cron: "@every soon" }, /^@every "soon"/);
});

Deno.test("parseTiming() refuses an unknown time zone, naming it", () => {
  assertUsageError(
    { cron: "0 9 * * *", timezone: "Europe/Ljubjana" },
    /unknown time zone "Europe\/Ljubjana" — use an IANA name/,
  );
});

Deno.test({
  name: "parseTiming() refuses an unknown time zone given with an interval",
  fn() {
    assertUsageError({ interval: "30s", timezone: "Europe/Ljubjana" }, /unknown time zone/);
    assertUsageError({ cron: "@every 30s", timezone: "Europe/Ljubjana" }, /unknown time zone/);
  },
});

Deno.test("parseTiming() refuses an executeAt that is not a date", () => {
  assertUsageError({ executeAt: "next tuesday" }, /executeAt "next tuesday" is not a date/);
  assertUsageError({ executeAt: new Date(NaN) }, /is not a date — use ISO 8601/);
  assertUsageError({ executeAt: Infinity }, /is not a date/);
});

Deno.test("parseTiming() gives equal options an equal spec", () => {
  const options = { cron: "0 9 * * *", timezone: "Europe/Ljubljana" };
  assert.equal(parseTiming(options).spec, parseTiming({ ...options }).spec);
  assert.equal(parseTiming({ cron: "0  9 * * * " }).spec, parseTiming({ cron: "0 9 * * *" }).spec);
  assert.equal(parseTiming({ cron: "@every 30s" }).spec, parseTiming({ interval: 30_000 }).spec);
  assert.equal(
    parseTiming({ cron: "* * * * * */10", secondsField: "last" }).spec,
    parseTiming({ cron: "*/10 * * * * *" }).spec,
  );
});

Deno.test("parseTiming() gives a different spec for another expression or time zone", () => {
  const base = parseTiming({ cron: "0 9 * * *" }).spec;
  assert.notEqual(parseTiming({ cron: "0 10 * * *" }).spec, base);
  assert.notEqual(parseTiming({ cron: "0 9 * * *", timezone: "Europe/Ljubljana" }).spec, base);
  assert.notEqual(parseTiming({ interval: "30s" }).spec, parseTiming({ interval: "31s" }).spec);
  assert.notEqual(
    parseTiming({ executeAt: "2026-01-01T00:00:00Z" }).spec,
    parseTiming({ executeAt: "2026-01-01T00:00:01Z" }).spec,
  );
});

Deno.test("parseTiming() refuses a cron expression that never matches a date", () => {
  for (const cron of ["0 0 31 2 *", "0 0 30 2 *", "0 0 31 4,6,9,11 *"]) {
    assertUsageError({ cron }, /never matches a date/);
  }
  // 29 February comes every fourth year: it runs.
  assert.ok(parseTiming({ cron: "0 0 29 2 *" }).first(Date.parse("2026-01-01T00:00:00Z")));
});

Deno.test("parseTiming() combines the day fields as Vixie cron: AND when one starts with *", () => {
  const ticks = (cron: string, from = "2027-01-01") => {
    const timing = parseTiming({ cron });
    const out: string[] = [];
    for (let at = Date.parse(`${from}T00:00:00Z`); out.length < 4;) {
      at = timing.next(at)!;
      out.push(new Date(at).toISOString().slice(5, 10));
    }
    return out;
  };
  // Days 1–7 that are Sun, Tue, Thu or Sat (croner alone: every day 1–7).
  assert.deepEqual(ticks("0 0 1-7 * */2"), ["01-02", "01-03", "01-05", "01-07"]);
  // Mondays on odd days (croner alone: every odd day, and every Monday).
  assert.deepEqual(ticks("0 0 */2 * 1"), ["01-11", "01-25", "02-01", "02-15"]);
  // Both restricted: either will do.
  assert.deepEqual(ticks("0 0 1 * MON", "2027-03-20"), ["03-22", "03-29", "04-01", "04-05"]);
  assert.deepEqual(ticks("0 0 * * MON"), ["01-04", "01-11", "01-18", "01-25"]);
});

Deno.test("parseTiming() refuses a time zone where no wall clock is read", () => {
  for (
    const options of [
      { cron: "@every 1d" },
      { interval: "1d" },
      { executeAt: "2027-01-01T00:00:00Z" },
    ]
  ) {
    assert.throws(
      () => parseTiming({ ...options, timezone: "America/New_York" }),
      /a time zone applies to cron schedules only: (@every|interval|executeAt) counts from the epoch/,
    );
  }
  assert.equal(
    parseTiming({ cron: "0 0 * * *", timezone: "America/New_York" }).spec,
    "cron 0 0 * * * America/New_York",
  );
});

Deno.test("storedTiming() reads a time zone an earlier coord stored with an interval as it did: ignored", () => {
  // A dynamic instance stored so must go on running, not fail at every re-check.
  const zone = { timezone: "America/New_York" };
  const spec = (options: TimingOptions) => (storedTiming(options) as Timing).spec;
  assert.equal(spec({ interval: "1h", ...zone }), "every 3600000ms");
  assert.equal(spec({ cron: "@every 1h", ...zone }), "every 3600000ms");
  assert.equal((storedTiming({ executeAt: 0, ...zone }) as Timing).first(0), 0);
  assert.equal(spec({ cron: "0 0 * * *", ...zone }), "cron 0 0 * * * America/New_York");
});

Deno.test("storedTiming() parses a stored spec once per text, args aside, and says so of one no scheduler runs", () => {
  const first = storedTiming({ cron: "7 9 * * *", timezone: "Asia/Tokyo", args: 1 });
  assert.ok(!(first instanceof Error));
  // Another instance's record, or the next read of this one: the same timing, unparsed.
  assert.equal(storedTiming({ cron: "7 9 * * *", timezone: "Asia/Tokyo", args: "x" }), first);
  assert.notEqual(storedTiming({ cron: "7 9 * * *", timezone: "Asia/Seoul" }), first);
  for (
    const foreign of [{}, { cron: "61 * * * *" }, { cron: 5 }, { cron: "@daily", timezone: null }]
  ) {
    const refused = storedTiming(foreign as TimingOptions);
    assert.ok(refused instanceof Error, JSON.stringify(foreign));
    assert.equal(storedTiming(foreign as TimingOptions), refused, "refused once per text too");
  }
});
