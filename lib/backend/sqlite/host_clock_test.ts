import assert from "node:assert/strict";
import {
  type BootReading,
  type ClockRecord,
  HostClock,
  preciseWall,
  readBoot,
} from "./host_clock.ts";

/** A store in memory, standing in for the database's `coord_meta` row. */
function memoryStore(initial?: ClockRecord) {
  let stored = initial === undefined ? undefined : JSON.stringify(initial);
  return {
    load: () => stored,
    save: (record: ClockRecord) => void (stored = JSON.stringify(record)),
    write: <T>(fn: () => T) => fn(),
    foreign: (value: unknown) => new Error(`foreign: ${value}`),
    record: (): ClockRecord | undefined => stored === undefined ? undefined : JSON.parse(stored),
  };
}

/** A boot reading: the boot and the wall clock's distance to its clock. */
const reading = (boot: string, wallMinusBootMs: number) => (): BootReading => ({
  boot,
  wallMinusBootMs,
});

const near = (a: number, b: number) => assert.ok(Math.abs(a - b) < 5, `${a} vs ${b}`);

Deno.test("the first clock of a boot is the wall clock, and stores what it saw", () => {
  const store = memoryStore();
  const clock = new HostClock(store, reading("boot-1", 1_000_000));
  near(clock.now(), preciseWall());
  assert.deepEqual(store.record(), {
    boot: "boot-1",
    baseMs: 1_000_000,
    wallMinusBootMs: 1_000_000,
  });
});

Deno.test("a clock that sees the wall clock stepped counts as if it had not been", () => {
  const store = memoryStore({ boot: "boot-1", baseMs: 1_000_000, wallMinusBootMs: 1_000_000 });
  const ahead = new HostClock(store, reading("boot-1", 1_090_000));
  near(ahead.now(), preciseWall() - 90_000);
  assert.equal(store.record()!.baseMs, 1_000_000, "the base is the boot's, for good");
});

Deno.test("readings within the boot clock's coarseness agree on the stored distance", () => {
  const store = memoryStore({ boot: "boot-1", baseMs: 1_000_000, wallMinusBootMs: 1_000_020 });
  // 12 ms away: the boot clock's 10 ms steps, not a step of the wall clock.
  const clock = new HostClock(store, reading("boot-1", 1_000_032));
  near(clock.now(), preciseWall() - 20);
  assert.equal(store.record()!.wallMinusBootMs, 1_000_020, "kept as stored");
});

Deno.test("a new boot starts afresh rather than continue the last boot's clock", () => {
  // The last boot had been stepped back an hour; its clock ran an hour ahead of the wall.
  const store = memoryStore({ boot: "boot-1", baseMs: 5_000_000, wallMinusBootMs: 1_400_000 });
  const clock = new HostClock(store, reading("boot-2", 2_000_000));
  near(clock.now(), preciseWall());
  assert.equal(store.record()!.boot, "boot-2");
});

Deno.test("without /proc the clock is the wall clock", () => {
  const store = memoryStore();
  near(new HostClock(store, () => undefined).now(), preciseWall());
  assert.equal(store.record(), undefined);
});

/** `/proc` as a process sees it: this boot, and the boot clock's readings in turn (seconds). */
function proc(...uptimes: number[]) {
  return (path: string) =>
    path.endsWith("boot_id") ? "boot-1\n" : `${uptimes.shift()!.toFixed(2)} 1.00\n`;
}

Deno.test("a boot reading the process was descheduled in is read again", () => {
  // The first try slept 150 ms between its readings: the wall clock read then was not at 100.00.
  const reading = readBoot(proc(100.00, 100.15, 100.16, 100.16))!;
  near(reading.wallMinusBootMs, preciseWall() - 100_165);
});

Deno.test("a boot reading takes the tightest of its tries on a host that never lets it be", () => {
  const reading = readBoot(proc(100, 100.5, 101, 101.06, 102, 102.4, 103, 103.3, 104, 104.2))!;
  near(reading.wallMinusBootMs, preciseWall() - 101_035);
});

Deno.test("a stored value that is no clock record is refused, not written over", () => {
  const store = memoryStore();
  store.save = () => assert.fail("written over");
  store.load = () => "junk";
  assert.throws(() => new HostClock(store, reading("boot-1", 1_000_000)), /foreign: junk/);
});

Deno.test("a clock told to go by the wall clock past another program's value stores nothing", () => {
  const store = memoryStore();
  store.save = () => assert.fail("written over");
  store.load = () => "junk";
  const clock = new HostClock(store, reading("boot-1", 1_090_000), { foreignIsWall: true });
  near(clock.now(), preciseWall());
});
