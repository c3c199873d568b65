/**
 * Waiting for barrier state in tests, by watching rather than sleeping, with a deadline so a
 * regression fails the test instead of hanging the suite.
 *
 * @module
 */

import { barrierStatus } from "../../lib/barrier/barrier.ts";
import type { Backend } from "../../lib/backend/types.ts";
import { HANG_GUARD_MS } from "./wait.ts";

/** Resolves once exactly `count` participants wait at `name`; rejects after `timeoutMs`. */
export async function arrivals(
  backend: Backend,
  name: string,
  count: number,
  timeoutMs = HANG_GUARD_MS,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  await using watcher = await backend.watch({ kind: "barrier", name });
  let seen = -1;
  while ((seen = (await barrierStatus(backend, name)).arrivals.length) !== count) {
    if (performance.now() > deadline) {
      throw new Error(`barrier ${name}: ${seen} arrived after ${timeoutMs} ms, expected ${count}`);
    }
    await watcher.next(100);
  }
}
