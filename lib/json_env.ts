/**
 * How a command coord runs gets a JSON value that may be large (a triggered run's args, a
 * flow's gathered results — up to 1 MiB): in a private file named by one variable, and in a
 * variable of its own too when it fits in one.
 *
 * @module
 */

/**
 * The most one argument or environment variable (`NAME=value`) may take on Linux, its NUL
 * included (`MAX_ARG_STRLEN`): a larger one fails the command's start with "Argument list too
 * long".
 */
export const MAX_ARG_STRING_BYTES = 131_072;

/**
 * Calls `run` with the variables that hand `value` (as JSON) to a command: `NAME_FILE`, a file
 * holding it that only this user may read, removed once `run` settles (so `run` must wait for
 * the command and all it started to be gone), and `NAME` too when it fits in one variable
 * ({@link MAX_ARG_STRING_BYTES}) — left unset when it does not, rather than failing the start.
 *
 * @example
 * ```ts
 * import { withJsonInEnv } from "./json_env.ts";
 * const text = await withJsonInEnv("COORD_ARGS", { to: "ana" }, async (env) => {
 *   env.COORD_ARGS; // '{"to":"ana"}'
 *   return await Deno.readTextFile(env.COORD_ARGS_FILE);
 * });
 * text; // '{"to":"ana"}'
 * ```
 */
export async function withJsonInEnv<T>(
  name: string,
  value: unknown,
  run: (env: Record<string, string>) => Promise<T>,
): Promise<T> {
  const json = JSON.stringify(value);
  const inVariable = new TextEncoder().encode(`${name}=${json}\0`).length <= MAX_ARG_STRING_BYTES;
  // Made with mode 0600 (Deno.makeTempFile): only coord's user reads what it holds.
  const file = await Deno.makeTempFile({
    prefix: `${name.toLowerCase().replaceAll("_", "-")}-`,
    suffix: ".json",
  });
  try {
    await Deno.writeTextFile(file, json);
    return await run({ [`${name}_FILE`]: file, ...(inVariable && { [name]: json }) });
  } finally {
    await Deno.remove(file).catch(() => {});
  }
}
