/**
 * The one deadline the Redis connection code puts on a step that may never answer: a server
 * that accepts a connection and then stays silent leaves node-redis waiting forever.
 *
 * @module
 */

/**
 * `promise`'s outcome, or a rejection once `ms` passed or `signal` aborts, with no timer left
 * behind either way. The step itself is not stopped: the caller destroys what it was waiting
 * on, which also ends the step.
 *
 * @example
 * ```ts ignore
 * const reply = await within(5_000, client.sendCommand(["PING"]))
 *   .finally(() => client.destroy());
 * ```
 */
export async function within<T>(ms: number, promise: Promise<T>, signal?: AbortSignal): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  let abort: (() => void) | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    abort = () => reject(signal!.reason);
    signal?.addEventListener("abort", abort);
  });
  try {
    signal?.throwIfAborted();
    return await Promise.race([promise, late]);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener("abort", abort!);
  }
}
