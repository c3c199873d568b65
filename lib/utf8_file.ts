/**
 * Reading a file a user gave as text: bytes that are not UTF-8 are refused, not stored as U+FFFD
 * in their place (a job's arguments or a task's command would differ from the file, unseen).
 *
 * @module
 */

const UTF8 = new TextDecoder("utf-8", { fatal: true });

/**
 * The most of a file read as text, in bytes: 256 MiB (a million jobs for `queue put --from`
 * take about 30). V8's longest string is 2^29 - 24 UTF-16 units: a file near 512 MiB failed as
 * it was decoded, and read as "not UTF-8 text"; one without end (`/dev/zero`, a pipe never
 * closed) filled the memory first.
 */
export const MAX_TEXT_BYTES = 256 * 1_048_576;

/**
 * The text of `path` (`-`: standard input, read to its end), at most {@link MAX_TEXT_BYTES}.
 *
 * @throws {Error} "it is not UTF-8 text", "it is over 256 MiB …", or what reading the file threw
 * (see `whyUnreadable`).
 *
 * @example
 * ```ts
 * import { readUtf8File } from "./utf8_file.ts";
 * const text = await readUtf8File("jobs.jsonl");
 * ```
 */
export async function readUtf8File(path: string): Promise<string> {
  const bytes = path === "-" ? await readCapped(Deno.stdin.readable) : await readFileCapped(path);
  try {
    return UTF8.decode(bytes);
  } catch {
    throw new Error("it is not UTF-8 text");
  }
}

async function readFileCapped(path: string): Promise<Uint8Array> {
  const file = await Deno.open(path);
  // A regular file's size refuses a large one unread. It bounds nothing: the file may grow
  // before it is read, and /proc's say 0 (pagemap holds 256 GiB); a device's or a pipe's says
  // nothing either. So every read stops at the bound. A directory fails as it is read.
  if ((await file.stat()).size > MAX_TEXT_BYTES) {
    file.close();
    throw tooLarge();
  }
  return await readCapped(file.readable);
}

/** All of `stream`, refused once past {@link MAX_TEXT_BYTES} (which cancels it). */
async function readCapped(stream: ReadableStream<Uint8Array>): Promise<Uint8Array> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of stream) {
    size += chunk.length;
    if (size > MAX_TEXT_BYTES) throw tooLarge();
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let at = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, at);
    at += chunk.length;
  }
  return bytes;
}

function tooLarge(): Error {
  return new Error(
    `it is over ${MAX_TEXT_BYTES / 1_048_576} MiB, the most coord reads of a file — split it`,
  );
}
