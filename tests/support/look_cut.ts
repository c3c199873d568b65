/**
 * An outage at a queue worker's look at one queue's settings and counts before its first claim,
 * the others answering: how tests ride out an outage at a worker's start, queue by queue.
 *
 * @module
 */

import type { Backend } from "../../lib/backend/types.ts";
import { BackendUnavailableError } from "../../lib/errors.ts";
import { overriding } from "./overriding.ts";

/**
 * `backend` whose looks at `queue`'s settings (a worker's before its claims) fail while `cut()`,
 * which is asked at every look at any queue.
 *
 * @example
 * ```ts ignore
 * let cut = true;
 * const worker = work(lookCut(backend, "down", () => cut), ["down", "up"], { drain: true });
 * ```
 */
export function lookCut(backend: Backend, queue: string, cut: () => boolean): Backend {
  const configure: Backend["queue"]["configure"] = (name, patch) =>
    cut() && name === queue
      ? Promise.reject(new BackendUnavailableError("lost the backend: connection refused"))
      : backend.queue.configure(name, patch);
  return overriding(backend, { queue: overriding(backend.queue, { configure }) });
}
