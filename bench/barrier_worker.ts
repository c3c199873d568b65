/**
 * A long-lived participant for the `barrier` benchmark (one of several processes started
 * alike), printing one JSON line per round on stdout. Round 0 is the caller's warm-up: a
 * process's first wake-up and first `console.log` cost milliseconds of compiling.
 *
 * - `barrier URL NAME N ROUNDS DELAY_MS TIMEOUT_MS`: connects once, then calls the library's
 *   `barrier()` ROUNDS times in a row. Each line has `called_at` (this host's clock just
 *   before the call) and the result's fields in the CLI's snake_case, or `error`, `exit_code`
 *   and (when too late) `late_ms`.
 * - `timer START_AT INTERVAL_MS ROUNDS SPIN_MS`: no coordination at all: wakes at the agreed
 *   instants `START_AT + i × INTERVAL_MS` (epoch ms, this host's clock) with a timer, spinning
 *   the last SPIN_MS (0: the timer alone, early or late), and prints `target` and
 *   `continued_at`.
 *
 * @module
 */

import { now } from "./clock.ts";

function line(fields: Record<string, unknown>): void {
  console.log(JSON.stringify(fields));
}

async function barrierRounds(args: string[]): Promise<void> {
  const [url, name, n, rounds, delayMs, timeoutMs] = args;
  // Imported here so the timer mode loads nothing of coord.
  const { barrier, connect, CoordError, TooLateError } = await import("../lib/mod.ts");
  await using backend = await connect({ url });
  for (let round = 0; round < Number(rounds); round++) {
    const calledAt = now();
    try {
      const result = await barrier(backend, name, Number(n), {
        delayMs: Number(delayMs),
        timeoutMs: Number(timeoutMs),
      });
      line({
        round,
        called_at: calledAt,
        generation: result.generation,
        arrival: result.arrival,
        release_at: result.releaseAt,
        continued_at: result.continuedAt,
        late_ms: result.lateMs,
      });
    } catch (e) {
      if (!(e instanceof CoordError)) throw e;
      line({
        round,
        called_at: calledAt,
        error: e.name,
        exit_code: e.exitCode,
        ...(e instanceof TooLateError ? { late_ms: e.lateMs } : {}),
      });
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, Math.max(0, ms)));
}

async function timerRounds(args: string[]): Promise<void> {
  const [startAt, intervalMs, rounds, spinMs] = args.map(Number);
  for (let round = 0; round < rounds; round++) {
    const target = startAt + round * intervalMs;
    await sleep(target - spinMs - now());
    // Timer only: continue when the timer fires, early or late, as a bare timer would.
    while (spinMs > 0 && now() < target) {
      // spin
    }
    const continuedAt = now();
    line({ round, target, continued_at: continuedAt });
  }
}

if (import.meta.main) {
  const [mode, ...args] = Deno.args;
  if (mode === "barrier") await barrierRounds(args);
  else if (mode === "timer") await timerRounds(args);
  else {
    console.error(`barrier_worker: unknown mode "${mode}" (barrier or timer)`);
    Deno.exit(64);
  }
}
