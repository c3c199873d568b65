/**
 * Synchronous clean-ups run when the bench process exits, normally or through `Deno.exit`
 * (which `run.ts` calls on SIGINT/SIGTERM): the path where an `await using` never completes.
 *
 * @module
 */

const cleanups = new Set<() => void>();

globalThis.addEventListener("unload", () => {
  for (const cleanup of cleanups) {
    try {
      cleanup();
    } catch {
      // One failed clean-up must not keep the others from running.
    }
  }
});

/**
 * Registers `cleanup` to run at exit; returns the function that unregisters it, to call once
 * the resource was released the ordinary way. `unload` cannot await, so `cleanup` is
 * synchronous.
 *
 * @example
 * ```ts
 * import { atExit } from "./at_exit.ts";
 * const unregister = atExit(() => console.error("exiting"));
 * unregister();
 * ```
 */
export function atExit(cleanup: () => void): () => void {
  cleanups.add(cleanup);
  return () => void cleanups.delete(cleanup);
}
