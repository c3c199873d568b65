/**
 * Usage of the subcommands whose issues have not landed yet, so `coord --help` and
 * `coord CMD --help` already show what they will do.
 *
 * @module
 */

import { BACKEND_FLAGS_HELP } from "./flags.ts";

/** `coord queue` */
export const QUEUE_USAGE = `Usage: coord queue put|work|wait|status … [options]

A durable job queue: delayed, parallel and serial jobs, results, retries.

Example:
  coord queue put reports --json '{"day":"2026-11-23"}'

${BACKEND_FLAGS_HELP}`;
