/**
 * What a subcommand module provides to the router in `main.ts`.
 *
 * @module
 */

/** A subcommand: its usage text and what it does with its arguments. */
export interface Command {
  /** Full usage with options, exit codes and at least one real example. */
  usage: string;
  /** Runs with the arguments after the subcommand's name; resolves to the exit code. */
  run(argv: string[]): Promise<number>;
}
