/**
 * Cross-site request forgery guard: every action form carries a token only pages of this
 * console know (a random value per process, shown only to users past basic auth), and a POST
 * without it is refused. A form on another site cannot read it, so it cannot send it.
 *
 * @module
 */

/** A fresh token: 32 random bytes, hex. */
export function newCsrfToken(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(32));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * Whether `given` is the token, compared in time independent of where they differ.
 *
 * @example
 * ```ts
 * import { newCsrfToken, sameSecret } from "./csrf.ts";
 * const token = newCsrfToken();
 * sameSecret(token, token); // true
 * ```
 */
export function sameSecret(given: string | null | undefined, expected: string): boolean {
  if (typeof given !== "string") return false;
  const a = new TextEncoder().encode(given);
  const b = new TextEncoder().encode(expected);
  let difference = a.length ^ b.length;
  for (let i = 0; i < b.length; i++) difference |= (a[i] ?? 0) ^ b[i];
  return difference === 0;
}
