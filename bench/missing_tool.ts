/**
 * Finding the external programs a benchmark needs, and saying how to get one that is missing.
 * A missing tool skips the part of a benchmark that needs it, never the whole run.
 *
 * @module
 */

import { delimiter, join } from "node:path";

/** How to install each tool the benchmarks use. */
const INSTALL: Record<string, string> = {
  "redis-server": "apt-get install redis-server (Debian/Ubuntu) or brew install redis (macOS)",
  "redis-cli": "apt-get install redis-tools (Debian/Ubuntu) or brew install redis (macOS)",
  "redis-benchmark": "apt-get install redis-tools (Debian/Ubuntu) or brew install redis (macOS)",
  hyperfine: "apt-get install hyperfine, brew install hyperfine or cargo install hyperfine",
};

/** A program a benchmark needs is not on `PATH`; the message says how to install it. */
export class MissingToolError extends Error {
  /** The program that was looked for. */
  readonly tool: string;

  /** @param tool the program's name, e.g. `redis-server` */
  constructor(tool: string) {
    super(`${tool} not found on PATH — install it: ${INSTALL[tool] ?? `install ${tool}`}`);
    this.name = "MissingToolError";
    this.tool = tool;
  }
}

/**
 * The full path of `tool` on `PATH`, or `undefined`.
 *
 * @example
 * ```ts
 * import { findTool } from "./missing_tool.ts";
 * const hyperfine = findTool("hyperfine"); // "/usr/bin/hyperfine" or undefined
 * ```
 */
export function findTool(tool: string): string | undefined {
  for (const dir of (Deno.env.get("PATH") ?? "").split(delimiter)) {
    if (!dir) continue;
    const path = join(dir, tool);
    try {
      if (Deno.statSync(path).isFile) return path;
    } catch {
      // Not in this directory; keep looking.
    }
  }
  return undefined;
}

/**
 * The full path of `tool`.
 *
 * @throws {MissingToolError} when it is not on `PATH`.
 * @example
 * ```ts
 * import { requireTool } from "./missing_tool.ts";
 * const redisCli = requireTool("redis-cli");
 * ```
 */
export function requireTool(tool: string): string {
  const path = findTool(tool);
  if (!path) throw new MissingToolError(tool);
  return path;
}

/** What a benchmark reports in place of figures it could not take. */
export interface Skipped {
  skipped: string;
}

/**
 * Runs `measure`, or reports it skipped when a tool it needs is missing. Other errors pass.
 *
 * @example
 * ```ts
 * import { orSkipped, requireTool } from "./missing_tool.ts";
 * const figure = await orSkipped(() => Promise.resolve(requireTool("redis-cli")));
 * ```
 */
export async function orSkipped<T>(measure: () => Promise<T>): Promise<T | Skipped> {
  try {
    return await measure();
  } catch (e) {
    if (e instanceof MissingToolError) return { skipped: e.message };
    throw e;
  }
}
