/**
 * A benchmark's progress on stderr, one `NAME: message` line at a time: stdout carries only its
 * JSON results.
 *
 * @module
 */

/**
 * A function that prints `NAME: message` on stderr.
 *
 * @example
 * ```ts
 * import { progressOf } from "./progress.ts";
 * const progress = progressOf("lock");
 * progress("1000 handoffs on sqlite");
 * ```
 */
export function progressOf(name: string): (message: string) => void {
  return (message) => console.error(`${name}: ${message}`);
}
