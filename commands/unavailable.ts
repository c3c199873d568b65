/**
 * Subcommands that are listed but not built yet: they print their planned usage on `--help`
 * and otherwise exit 69 saying so.
 *
 * @module
 */

import { NotAvailableError } from "../lib/errors.ts";
import type { Command } from "./command.ts";

/** A placeholder command whose `run` always fails with {@link NotAvailableError}. */
export function unavailable(name: string, usage: string): Command {
  return {
    usage: `${usage}\n\n(not yet available in this version: exits 69)`,
    run: () => Promise.reject(new NotAvailableError(`coord ${name}`)),
  };
}
