/**
 * `--pass-env NAME[,NAME…]`: the commands that run other programs (`lock run`, `schedule run`,
 * `queue work`) withhold coord's credential variables from them unless told by name.
 *
 * @module
 */

import { passEnvNameRefusal } from "../lib/subprocess.ts";
import { usage } from "./flags.ts";

/** The flag, repeatable. */
export const PASS_ENV_FLAGS = { "pass-env": { type: "string", multiple: true } } as const;

/** The flags {@link passEnvFlag} reads. */
export interface PassEnvValues {
  "pass-env"?: string[];
  url?: string;
  namespace?: string;
}

/**
 * The names given with `--pass-env`, checked. The backend this coord was pointed at by
 * `--url`/`--namespace` becomes `COORD_URL`/`COORD_NAMESPACE` of its environment too, so a
 * command that runs coord itself reaches the same backend (`COORD_URL` still only with
 * `--pass-env COORD_URL`): otherwise it would quietly use the default SQLite file.
 *
 * @throws {UsageError} for a name coord does not withhold anyway (a typo would otherwise
 * pass nothing, silently).
 */
export function passEnvFlag(command: string, values: PassEnvValues): string[] {
  if (values.url !== undefined) Deno.env.set("COORD_URL", values.url);
  if (values.namespace !== undefined) Deno.env.set("COORD_NAMESPACE", values.namespace);
  const names = (values["pass-env"] ?? []).flatMap((value) => value.split(","))
    .map((name) => name.trim());
  const refusal = passEnvNameRefusal(names, "--pass-env");
  if (refusal !== undefined) throw usage(command, refusal);
  return names;
}
