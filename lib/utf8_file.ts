/**
 * Reading a file a user gave as text: bytes that are not UTF-8 are refused, not stored as U+FFFD
 * in their place (a job's arguments or a task's command would differ from the file, unseen).
 *
 * @module
 */

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The text of `path` (`-`: standard input, read to its end).
 *
 * @throws {Error} "it is not UTF-8 text", or what reading the file threw (see `whyUnreadable`).
 *
 * @example
 * ```ts
 * import { readUtf8File } from "./utf8_file.ts";
 * const text = await readUtf8File("jobs.jsonl");
 * ```
 */
export async function readUtf8File(path: string): Promise<string> {
  const bytes = path === "-"
    ? new Uint8Array(await new Response(Deno.stdin.readable).arrayBuffer())
    : await Deno.readFile(path);
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new Error("it is not UTF-8 text");
  }
}
