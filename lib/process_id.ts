/**
 * The default name a long-running process (a scheduler instance, a queue worker) records as
 * the owner of what it holds.
 *
 * @module
 */

/**
 * `host:pid:random` — the random part tells apart two owners in one process (and a pid reused
 * after a restart).
 *
 * @example
 * ```ts
 * import { processId } from "./process_id.ts";
 * processId(); // e.g. "build-7:4242:9f3a"
 * ```
 */
export function processId(): string {
  let host = "host";
  try {
    host = Deno.hostname();
  } catch {
    // No --allow-sys: the pid and the random part still tell owners apart.
  }
  const random = crypto.getRandomValues(new Uint16Array(1))[0].toString(16).padStart(4, "0");
  return `${host}:${Deno.pid}:${random}`;
}
