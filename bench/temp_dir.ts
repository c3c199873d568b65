/**
 * Temporary directories that are removed when their scope ends, or at exit when it never does.
 *
 * @module
 */

import { atExit } from "./at_exit.ts";

/** A temporary directory; disposing of it removes it with its contents. */
export interface TempDir extends AsyncDisposable {
  readonly path: string;
}

/**
 * Makes a temporary directory named `<prefix><random>`.
 *
 * @example
 * ```ts
 * import { tempDir } from "./temp_dir.ts";
 * await using dir = await tempDir("coord-bench-");
 * await Deno.writeTextFile(`${dir.path}/empty.ts`, "");
 * ```
 */
export async function tempDir(prefix: string): Promise<TempDir> {
  const path = await Deno.makeTempDir({ prefix });
  const unregister = atExit(() => Deno.removeSync(path, { recursive: true }));
  return {
    path,
    async [Symbol.asyncDispose]() {
      unregister();
      await Deno.remove(path, { recursive: true }).catch(() => {});
    },
  };
}
