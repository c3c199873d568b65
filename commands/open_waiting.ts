/**
 * The backend of a long-running command (`queue work`, `schedule run`, `queue wait`, a lock or
 * barrier waiter), waited for at its start as the command rides out an outage once running.
 *
 * @module
 */

import { awaitBackend } from "../lib/backend/await_backend.ts";
import type { Backend } from "../lib/backend/types.ts";
import { oneLine } from "../lib/errors.ts";
import { openBackend } from "./flags.ts";
import { writeLine } from "./output.ts";
import { outageLine } from "./report.ts";

/**
 * Opens the backend the flags name; a server that cannot be reached (a restart, containers
 * started together) is tried again every second for up to `limitMs`, saying so on stderr as the
 * running command says an outage (unless `quiet`), and when it answers. One-shot commands call
 * `openBackend`, and fail at once: a script wants their answer now.
 *
 * @example
 * ```ts
 * import { openBackendWaiting } from "./open_waiting.ts";
 * await using backend = await openBackendWaiting("queue", { url: "sqlite::memory:" }, {
 *   limitMs: 60_000,
 * });
 * ```
 */
export async function openBackendWaiting(
  command: string,
  values: Parameters<typeof openBackend>[1],
  { limitMs, quiet = false, ...opening }:
    & { limitMs: number; quiet?: boolean }
    & Parameters<typeof openBackend>[2],
): Promise<Backend> {
  const startedAt = performance.now();
  let waited = false;
  const backend = await awaitBackend(() => openBackend(command, values, opening), {
    limitMs,
    onUnreachable: (e) => {
      waited = true;
      say(outageLine({ type: "unavailable", error: oneLine(e), limitMs }), quiet);
    },
  });
  if (waited) {
    say(outageLine({ type: "available", outageMs: performance.now() - startedAt }), quiet);
  }
  return backend;
}

function say(line: string, quiet: boolean): void {
  if (!quiet) writeLine(`coord: ${line}`, Deno.stderr);
}
