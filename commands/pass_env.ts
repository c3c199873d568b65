/**
 * `--pass-env NAME[,NAME…]`: the commands that run other programs (`lock run`, `schedule run`,
 * `queue work`) withhold coord's credential variables from them unless told by name.
 *
 * @module
 */

import { WITHHELD_ENV } from "../lib/subprocess.ts";
import { usage } from "./flags.ts";

/** The flag, repeatable. */
export const PASS_ENV_FLAGS = { "pass-env": { type: "string", multiple: true } } as const;

/**
 * The names given with `--pass-env`, checked.
 *
 * @throws {UsageError} for a name coord does not withhold anyway (a typo would otherwise
 * pass nothing, silently).
 */
export function passEnvFlag(command: string, values: string[] | undefined): string[] {
  const names = (values ?? []).flatMap((value) => value.split(",")).map((name) => name.trim());
  const other = names.find((name) => !WITHHELD_ENV.includes(name));
  if (other !== undefined) {
    throw usage(
      command,
      `--pass-env takes ${WITHHELD_ENV.join(", ")}, got "${other}" — other variables reach ` +
        "the command anyway",
    );
  }
  return names;
}
