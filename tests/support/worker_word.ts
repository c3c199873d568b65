/**
 * A worker of several queues beside one it cannot run: what it says of that one, once it ran a
 * job of another.
 *
 * @module
 */

import type { Backend } from "../../lib/backend/types.ts";
import { work } from "../../lib/queue/worker.ts";
import { guarded, until } from "./wait.ts";

/**
 * Runs a worker of `queues` (handler `handler` returns 1) until it completed `good/j` and said
 * something was wrong at least once, then stops it; returns what it said.
 *
 * @example
 * ```ts ignore
 * const said = await wordBesideGoodRun(backend, ["alien", "good"], "ok");
 * ```
 */
export async function wordBesideGoodRun(
  backend: Backend,
  queues: string[],
  handler: string,
): Promise<string[]> {
  const stop = new AbortController();
  const errors: string[] = [];
  const ran = Promise.withResolvers<void>();
  const worker = work(backend, queues, {
    handlers: { [handler]: () => 1 },
    signal: stop.signal,
    onEvent: (event) => {
      if (event.type === "error") errors.push(event.error);
      if (event.type === "completed" && event.job === "good/j") ran.resolve();
    },
  });
  try {
    await guarded(ran.promise, "good/j's run");
    await until(() => errors.length > 0, { what: "the worker's word on the other queues" });
  } finally {
    stop.abort();
    await worker;
  }
  return errors;
}
