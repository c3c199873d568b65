/**
 * coord's version, read from `deno.json` so it is written in one place.
 *
 * @module
 */

import config from "../deno.json" with { type: "json" };

/** The version `coord --version` prints. */
export const VERSION: string = config.version;
