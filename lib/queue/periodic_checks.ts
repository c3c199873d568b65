/**
 * Many checks of one period on one timer: a worker checks each running job for a cancel every
 * 400 ms (`CANCEL_CHECK_MS`), and a timer per job (thousands a second, most ending before their
 * first check) cost it more than the jobs themselves.
 *
 * @module
 */

/** One check: when it is due next, and whether it still runs. */
interface Entry {
  dueAt: number;
  check: () => void;
  removed: boolean;
}

/**
 * Runs each added check every `periodMs` from when it was added (a timer that fires late
 * delays it as `setInterval` would), until removed. Due times only grow in the order checks
 * are added and re-added, so a plain queue keeps them sorted: adding and removing cost no timer.
 *
 * @example
 * ```ts
 * import { PeriodicChecks } from "./periodic_checks.ts";
 * const checks = new PeriodicChecks(400);
 * const remove = checks.add(() => console.log("still running?"));
 * remove(); // no timer is left behind once every check is removed
 * ```
 */
export class PeriodicChecks {
  readonly #periodMs: number;
  /** Checks in the order they are due; removed ones are dropped when they come up. */
  #queue: Entry[] = [];
  #head = 0;
  #active = 0;
  #timer: ReturnType<typeof setTimeout> | undefined;

  /** Checks that each run every `periodMs`. */
  constructor(periodMs: number) {
    this.#periodMs = periodMs;
  }

  /** Runs `check` every period from now on; the function returned stops it. */
  add(check: () => void): () => void {
    const entry = { dueAt: performance.now() + this.#periodMs, check, removed: false };
    this.#queue.push(entry);
    this.#active++;
    if (this.#timer === undefined) this.#arm();
    return () => {
      if (entry.removed) return;
      entry.removed = true;
      // With no check left, no timer may keep the process alive.
      if (--this.#active === 0) this.#clear();
    };
  }

  #arm(): void {
    // Not below 0: the head may have come due since `#fire` read the clock, and Deno's timers
    // warn on stderr of a negative delay.
    const delayMs = Math.max(0, this.#queue[this.#head].dueAt - performance.now());
    this.#timer = setTimeout(() => this.#fire(), delayMs);
  }

  #clear(): void {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#queue = [];
    this.#head = 0;
  }

  #fire(): void {
    const now = performance.now();
    const due: Entry[] = [];
    while (this.#head < this.#queue.length) {
      const entry = this.#queue[this.#head];
      if (!entry.removed && entry.dueAt > now) break;
      this.#head++;
      if (entry.removed) continue;
      // Every check queued holds a due time of at most now + period: the order stays sorted.
      entry.dueAt = now + this.#periodMs;
      due.push(entry);
    }
    // Compacted once the spent head outgrows the rest, so the array does not grow forever.
    if (this.#head > this.#queue.length - this.#head) {
      this.#queue = this.#queue.slice(this.#head);
      this.#head = 0;
    }
    this.#queue.push(...due);
    this.#timer = undefined;
    if (this.#head < this.#queue.length) this.#arm();
    for (const entry of due) if (!entry.removed) entry.check();
  }
}
