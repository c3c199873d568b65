import assert from "node:assert/strict";
import { firstInstant, lastWallAt, offsetAt } from "./wall_clock.ts";

const NY = "America/New_York";
const at = (text: string) => Date.parse(text);
const iso = (ms: number) => new Date(ms).toISOString();

Deno.test("offsetAt() gives the zone's offset on either side of a transition", () => {
  assert.equal(offsetAt(at("2026-03-08T06:59:59Z"), NY), -5 * 3_600_000);
  assert.equal(offsetAt(at("2026-03-08T07:00:00Z"), NY), -4 * 3_600_000);
  assert.equal(offsetAt(at("2026-10-03T15:30:00Z"), "Australia/Lord_Howe"), 11 * 3_600_000);
  assert.equal(offsetAt(at("2026-10-03T15:29:59.999Z"), "Australia/Lord_Howe"), 37_800_000);
});

Deno.test("firstInstant() maps a wall time to its only, first or gap-ending instant", () => {
  assert.equal(iso(firstInstant(at("2026-03-08T01:30:00Z"), NY)), "2026-03-08T06:30:00.000Z");
  assert.equal(iso(firstInstant(at("2026-03-08T02:30:00Z"), NY)), "2026-03-08T07:00:00.000Z");
  assert.equal(iso(firstInstant(at("2026-11-01T01:30:00Z"), NY)), "2026-11-01T05:30:00.000Z");
  assert.equal(iso(firstInstant(at("2026-11-01T01:30:00.250Z"), NY)), "2026-11-01T05:30:00.250Z");
});

Deno.test("lastWallAt() is an instant's wall time, but the repeated hour's end in its second pass", () => {
  assert.equal(iso(lastWallAt(at("2026-11-01T05:15:00Z"), NY)), "2026-11-01T01:15:00.000Z");
  assert.equal(iso(lastWallAt(at("2026-11-01T06:15:00Z"), NY)), "2026-11-01T01:59:59.999Z");
  assert.equal(iso(lastWallAt(at("2026-11-01T07:00:00Z"), NY)), "2026-11-01T02:00:00.000Z");
  assert.equal(iso(lastWallAt(at("2026-03-08T07:00:00Z"), NY)), "2026-03-08T03:00:00.000Z");
});
