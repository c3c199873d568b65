/**
 * Waiting for lock queue state in tests, by watching rather than sleeping, with a deadline.
 *
 * @module
 */

import type { Backend } from "../../lib/backend/types.ts";
import { HANG_GUARD_MS } from "./wait.ts";

/** Resolves once `resource` has `count` live users; rejects after `timeoutMs`. */
export async function users(
  backend: Backend,
  resource: string,
  count: number,
  timeoutMs = HANG_GUARD_MS,
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  await using watcher = await backend.watch({ kind: "lock", name: resource });
  while (((await backend.lock.status(resource))?.users.length ?? 0) !== count) {
    if (performance.now() > deadline) throw new Error(`${resource}: never ${count} users`);
    await watcher.next(100);
  }
}
