/**
 * A backend, or one of its parts, with some members replaced and the rest as they are: how a
 * test counts a part's steps, injects a fault into one, or skews a clock, on a real backend.
 */

/**
 * `target` with `overrides` in place of its own members; every other method stays bound to
 * `target`, so private fields and `this` still work.
 *
 * @example
 * const cutOff = overriding(backend, {
 *   queue: overriding(backend.queue, { renew: () => Promise.reject(new Error("cut off")) }),
 * });
 */
export function overriding<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get: (of, key) => Object.hasOwn(overrides, key) ? overrides[key as keyof T] : bound(of, key),
  });
}

/**
 * `target` whose calls of `method` (every method when omitted) are told to `seen` first, by name.
 *
 * @example
 * const calls: string[] = [];
 * const counted = overriding(backend, { lock: counting(backend.lock, (name) => calls.push(name)) });
 */
export function counting<T extends object>(
  target: T,
  seen: (method: string) => void,
  method?: keyof T,
): T {
  return new Proxy(target, {
    get(of, key) {
      const value = bound(of, key);
      if (typeof value !== "function" || (method !== undefined && key !== method)) return value;
      return (...args: unknown[]) => {
        seen(String(key));
        return value(...args);
      };
    },
  });
}

/** `target[key]`, a method bound to `target`. */
function bound(target: object, key: string | symbol): unknown {
  const value = Reflect.get(target, key, target);
  return typeof value === "function" ? value.bind(target) : value;
}
