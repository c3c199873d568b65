/**
 * The environment variables coord reads (`COORD_URL`, `COORD_NAMESPACE`, …), read one way: one
 * set empty counts as unset.
 *
 * @module
 */

/**
 * The value of the variable `name` in `env` (default: the process' environment), or undefined
 * when it is unset or empty. Empty counts as unset, as most CLIs and `${NAME:-default}` take it:
 * a wrapper that blanks a variable (`COORD_NAMESPACE= coord …`) gets the default, as it does for
 * every other variable, not a refusal.
 *
 * @example
 * ```ts
 * import { variable } from "./environment.ts";
 * variable("COORD_NAMESPACE", { COORD_NAMESPACE: "" }); // undefined
 * variable("COORD_NAMESPACE", { COORD_NAMESPACE: "team-a" }); // "team-a"
 * ```
 */
export function variable(
  name: string,
  env?: Record<string, string | undefined>,
): string | undefined {
  return (env ? env[name] : Deno.env.get(name)) || undefined;
}
