import assert from "node:assert/strict";
import {
  formatDuration,
  MAX_DURATION_MS,
  secondsOrDurationMs,
  unitDurationMs,
} from "./duration.ts";

Deno.test("unitDurationMs() reads units and adds them up", () => {
  assert.equal(unitDurationMs("30s"), 30_000);
  assert.equal(unitDurationMs("1h30m"), 5_400_000);
  assert.equal(unitDurationMs("500ms"), 500);
  assert.equal(unitDurationMs("1.5s"), 1_500);
  assert.equal(unitDurationMs("0s"), 0);
});

Deno.test("unitDurationMs() refuses a number without unit, a sign or a word", () => {
  for (const text of ["30", "-1s", "soon", "", "1x", "s"]) {
    assert.equal(unitDurationMs(text), undefined, text);
  }
});

Deno.test("unitDurationMs() refuses a unit given twice, and takes each unit once in any order", () => {
  for (const text of ["1h1h", "5s5s", "1h30m1h", "500ms1s500ms", "1.5m2m"]) {
    assert.equal(unitDurationMs(text), undefined, text);
  }
  assert.equal(unitDurationMs("1d2h3m4s5ms"), 93_784_005);
  assert.equal(unitDurationMs("1m1ms"), 60_001, "ms is a unit of its own, not m then s");
  assert.equal(unitDurationMs("30m1h"), 5_400_000);
});

Deno.test("secondsOrDurationMs() takes plain seconds or units", () => {
  assert.equal(secondsOrDurationMs("30"), 30_000);
  assert.equal(secondsOrDurationMs("0.25"), 250);
  assert.equal(secondsOrDurationMs("2m"), 120_000);
  assert.equal(secondsOrDurationMs("-1"), undefined);
  assert.equal(secondsOrDurationMs("0x10"), undefined);
  assert.equal(secondsOrDurationMs("Infinity"), undefined);
  assert.ok(secondsOrDurationMs("1000000000000")! > MAX_DURATION_MS);
});

Deno.test("secondsOrDurationMs() takes digits with an optional fraction and unit, nothing else", () => {
  for (const text of ["1e3", "1E3", " 5", "5 ", "+5", ".5", "5.", "0x10", "1_000", "5 s", " 5s"]) {
    assert.equal(secondsOrDurationMs(text), undefined, JSON.stringify(text));
  }
  assert.equal(secondsOrDurationMs("0.5"), 500);
  assert.equal(secondsOrDurationMs("1h30m"), 5_400_000);
  assert.equal(secondsOrDurationMs("1.5s"), 1_500);
});

Deno.test("formatDuration() writes a duration as people read it", () => {
  assert.equal(formatDuration(850), "850 ms");
  assert.equal(formatDuration(12_500), "12.5 s");
  assert.equal(formatDuration(1_271_000), "21 min 11 s");
  assert.equal(formatDuration(180_000), "3 min");
  assert.equal(formatDuration(7_500_000), "2 h 5 min");
  // Rounded before it is split: never "60 s" of a minute, nor "60 min" of an hour.
  assert.equal(formatDuration(999.6), "1 s");
  assert.equal(formatDuration(59_960), "1 min");
  assert.equal(formatDuration(119_700), "2 min");
  assert.equal(formatDuration(3_599_600), "1 h");
  assert.equal(formatDuration(8 * 86_400_000 + 60_000), "8 d");
  assert.equal(formatDuration(7 * 86_400_000 + 8 * 3_600_000), "7 d 8 h");
  assert.equal(formatDuration(-5), "0 ms", "a clock a little behind is no negative age");
});
