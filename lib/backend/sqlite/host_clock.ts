/**
 * The SQLite backend's clock: one clock for every process of the host, which a step of the
 * wall clock does not move.
 *
 * Leases and due times written by one process are judged by another, so they need a clock
 * all processes share and that only runs forward. The host's boot clock (CLOCK_BOOTTIME, read
 * from `/proc/uptime`) is one, but Deno reads it only in 10 ms steps, too coarse for a
 * barrier's common instant. So the clock is the precise wall clock plus a correction, and the
 * correction is what the boot clock decides: zero while the wall clock keeps its distance to
 * the boot clock, and minus any step it took since. The distance at which steps count from is
 * kept per boot in the database (`coord_meta`), so every process agrees on it to the
 * microsecond, and a new boot (a new `boot_id`) starts afresh instead of inheriting instants
 * of a clock that restarted at zero. Where `/proc` is missing, the clock is the wall clock.
 *
 * @module
 */

import { localNow } from "../../time.ts";

/** A wall clock that moves this far against the boot clock has been stepped. */
export const STEP_MS = 50;
const BOOT_ID_PATH = "/proc/sys/kernel/random/boot_id";
const UPTIME_PATH = "/proc/uptime";
/** `/proc/uptime` has hundredths of a second, cut: half of one is the best guess of the rest. */
const UPTIME_HALF_STEP_MS = 5;

/** What one boot's processes agree on; stored as JSON. */
export interface ClockRecord {
  /** The boot it belongs to (`/proc/sys/kernel/random/boot_id`). */
  boot: string;
  /** Backend clock − boot clock, ms: fixed for the whole boot. */
  baseMs: number;
  /** Wall clock − boot clock, ms, as last agreed: a process seeing otherwise saw a step. */
  wallMinusBootMs: number;
}

/** Where a {@link HostClock} keeps its {@link ClockRecord}: the database file. */
export interface ClockStore {
  /** The stored record, as stored (anything: it is checked). */
  load(): unknown;
  /** Stores a record (called inside a write transaction). */
  save(record: ClockRecord): void;
  /** Runs `fn` in one write transaction. */
  write<T>(fn: () => T): T;
  /** The refusal of a stored value that is no record of coord's: another program's. */
  foreign(stored: unknown): Error;
}

/** This boot and how far the wall clock is from its clock now; undefined without `/proc`. */
export interface BootReading {
  boot: string;
  wallMinusBootMs: number;
}

/** Boot-clock readings around a wall-clock reading at most this far apart: one tick of it. */
const BRACKET_MS = 10;
/** Tries at a tight bracket before the tightest seen is taken. */
const BRACKET_TRIES = 5;

/**
 * Reads this boot's identity and the wall clock's distance to the boot clock. The wall clock is
 * read between two readings of the boot clock, again while those are more than a tick apart: a
 * process descheduled between the two clocks' readings (150 ms on a busy host) would otherwise
 * see a wall clock stepped by as much, and run its clock that far ahead.
 *
 * @param read reads a file of `/proc` (a parameter so that a test can stand in for the kernel).
 */
export function readBoot(
  read: (path: string) => string = Deno.readTextFileSync,
): BootReading | undefined {
  try {
    const boot = read(BOOT_ID_PATH).trim();
    const uptimeMs = () => Number(read(UPTIME_PATH).split(" ")[0]) * 1000;
    let best: { wallMinusBootMs: number; spreadMs: number } | undefined;
    for (let i = 0; i < BRACKET_TRIES && !(best && best.spreadMs <= BRACKET_MS); i++) {
      const before = uptimeMs();
      const wall = preciseWall();
      const after = uptimeMs();
      const spreadMs = after - before;
      if (!Number.isFinite(spreadMs)) return undefined;
      if (best && best.spreadMs <= spreadMs) continue;
      const bootMs = (before + after) / 2 + UPTIME_HALF_STEP_MS;
      best = { wallMinusBootMs: wall - bootMs, spreadMs };
    }
    if (!boot || !best) return undefined;
    return { boot, wallMinusBootMs: best.wallMinusBootMs };
  } catch {
    return undefined;
  }
}

/**
 * The backend clock of one SQLite file, in epoch milliseconds.
 *
 * @example
 * ```ts ignore
 * const clock = new HostClock(store);
 * const expiresAt = clock.now() + 10_000; // judged alike by every process of the host
 * ```
 */
export class HostClock {
  readonly #store: ClockStore;
  readonly #readBoot: () => BootReading | undefined;
  readonly #foreignIsWall: boolean;
  #correctionMs = 0;
  /** The wall anchor's move this clock last calibrated at. */
  #calibratedAnchorMove = -1;

  /**
   * Calibrates against the stored record, storing a new one when this boot has none yet.
   *
   * @param foreignIsWall a stored value that is another program's is not refused: the clock is
   *   then the wall clock, and nothing is stored (for a look that reports it: `coord doctor`).
   * @throws the store's refusal of a stored value that is another program's, unless
   *   `foreignIsWall`.
   */
  constructor(
    store: ClockStore,
    boot: () => BootReading | undefined = readBoot,
    { foreignIsWall = false }: { foreignIsWall?: boolean } = {},
  ) {
    this.#store = store;
    this.#readBoot = boot;
    this.#foreignIsWall = foreignIsWall;
    this.#calibrate(true);
  }

  /** Now, by this file's clock, with sub-millisecond precision. */
  now(): number {
    const wall = preciseWall();
    // The wall clock was stepped, or the process slept through a suspend: calibrate anew
    // (reading only: this may run inside a read transaction).
    if (wallAnchorMovedAt !== this.#calibratedAnchorMove) this.#calibrate(false);
    return wall + this.#correctionMs;
  }

  #calibrate(mayStore: boolean): void {
    preciseWall();
    this.#calibratedAnchorMove = wallAnchorMovedAt;
    const reading = this.#readBoot();
    if (!reading || (this.#foreignIsWall && isForeignClockRecord(this.#store.load()))) {
      this.#correctionMs = 0;
      return;
    }
    const stored = () => storedRecord(this.#store);
    let record = agreed(stored(), reading);
    if (!record && mayStore) {
      // Decided again under the write lock, so processes starting together store one record.
      record = this.#store.write(() => {
        const fresh = agreed(stored(), reading);
        if (fresh) return fresh;
        const made = recordFor(stored(), reading);
        this.#store.save(made);
        return made;
      });
    }
    record ??= recordFor(stored(), reading);
    this.#correctionMs = record.baseMs - record.wallMinusBootMs;
  }
}

/** The stored record when it is of this boot and agrees with this process's reading. */
function agreed(record: ClockRecord | undefined, reading: BootReading): ClockRecord | undefined {
  return record?.boot === reading.boot &&
      Math.abs(record.wallMinusBootMs - reading.wallMinusBootMs) < STEP_MS
    ? record
    : undefined;
}

/** The record after this reading: a new boot starts at the wall clock; a step keeps the base. */
function recordFor(record: ClockRecord | undefined, reading: BootReading): ClockRecord {
  const baseMs = record?.boot === reading.boot ? record.baseMs : reading.wallMinusBootMs;
  return { boot: reading.boot, baseMs, wallMinusBootMs: reading.wallMinusBootMs };
}

/**
 * The record `store` holds; undefined when it holds none yet (calibrate afresh).
 *
 * @throws the store's refusal of a value that is no record of coord's: written over, another
 * program's value would be lost, and this boot's base with it, so leases and due times judged
 * by the clock moved as far as the wall clock was stepped.
 */
function storedRecord(store: ClockStore): ClockRecord | undefined {
  const stored = store.load();
  if (stored === undefined) return undefined;
  const record = parseRecord(stored);
  if (record) return record;
  throw store.foreign(stored);
}

/**
 * Whether a value a {@link ClockStore} holds is another program's: there (`undefined` is none),
 * and no record of coord's.
 *
 * @example
 * ```ts
 * import { isForeignClockRecord } from "./host_clock.ts";
 * isForeignClockRecord("junk"); // true
 * isForeignClockRecord(undefined); // false: none yet
 * isForeignClockRecord('{"boot":"b","baseMs":1,"wallMinusBootMs":1}'); // false
 * ```
 */
export function isForeignClockRecord(stored: unknown): boolean {
  return stored !== undefined && parseRecord(stored) === undefined;
}

/** A stored value as a record of coord's; undefined when it is none (not JSON, other types). */
function parseRecord(stored: unknown): ClockRecord | undefined {
  let r;
  try {
    r = typeof stored === "string" ? JSON.parse(stored) : undefined;
  } catch {
    return undefined;
  }
  return typeof r?.boot === "string" && Number.isFinite(r.baseMs) &&
      Number.isFinite(r.wallMinusBootMs)
    ? r
    : undefined;
}

/** This process's offset from its monotonic clock to the wall clock. */
let wallAnchor: number | undefined;
/** Counts re-anchorings, so each clock knows when to calibrate again. */
let wallAnchorMovedAt = 0;
/** Re-measure the anchor when it disagrees with `Date.now()` by more (suspend, clock step). */
const ANCHOR_DRIFT_MS = 2;

/**
 * This host's wall clock with sub-millisecond precision. `Date.now()` has whole milliseconds
 * (half a millisecond of disagreement between processes on average), so the monotonic clock is
 * anchored to the wall clock at the instant `Date.now()` ticks (a spin of at most 1 ms), and
 * anchored again whenever the two part (the monotonic clock stops during suspend and ignores
 * clock steps).
 */
export function preciseWall(): number {
  if (
    wallAnchor === undefined || Math.abs(localNow() + wallAnchor - Date.now()) > ANCHOR_DRIFT_MS
  ) {
    const start = Date.now();
    let tick = start;
    while ((tick = Date.now()) === start) {
      // spin to the tick
    }
    wallAnchor = tick - localNow();
    wallAnchorMovedAt++;
  }
  return localNow() + wallAnchor;
}
