/**
 * What a command job writes, kept to a bound: the first bytes of its stdout (its result), the
 * last of its stderr (why it failed is at the end), and whether anything was cut, so what is
 * shown says so instead of passing for the whole.
 *
 * @module
 */

/** Bytes kept of a stream, and whether the stream held more. */
export interface CappedOutput {
  /** The bytes kept, as text. */
  text: string;
  /** The stream held more than was kept. */
  cut: boolean;
}

/**
 * Reads `stream` to its end (or until `stop` aborts), keeping at most `maxBytes`: the first
 * (`keep: "head"`) or the last (`"tail"`).
 *
 * @example
 * ```ts
 * import { readCapped } from "./capped_output.ts";
 * const stream = new Blob(["one\ntwo\n"]).stream();
 * await readCapped(stream, { maxBytes: 4, keep: "tail" }, new AbortController().signal);
 * // { text: "two\n", cut: true }
 * ```
 */
export async function readCapped(
  stream: ReadableStream<Uint8Array>,
  { maxBytes, keep }: { maxBytes: number; keep: "head" | "tail" },
  stop: AbortSignal,
): Promise<CappedOutput> {
  let chunks: Uint8Array[] = [];
  let kept = 0;
  let cut = false;
  const reader = stream.getReader();
  const onStop = () => reader.cancel().catch(() => {});
  stop.addEventListener("abort", onStop, { once: true });
  try {
    for (let chunk; !(chunk = await reader.read()).done;) {
      const bytes = chunk.value;
      if (keep === "head") {
        if (kept + bytes.length > maxBytes) cut = true;
        const room = Math.max(0, maxBytes - kept);
        if (room > 0) chunks.push(bytes.subarray(0, room));
        kept += Math.min(room, bytes.length);
        continue;
      }
      chunks.push(bytes);
      kept += bytes.length;
      // Trimmed once twice the bound is held: a stream of many small writes costs copies in
      // proportion to its size, not a copy of the bound each write.
      if (kept > 2 * maxBytes) {
        [chunks, kept, cut] = [[lastBytes(chunks, kept, maxBytes)], maxBytes, true];
      }
    }
  } finally {
    stop.removeEventListener("abort", onStop);
  }
  if (kept > maxBytes) [chunks, kept, cut] = [[lastBytes(chunks, kept, maxBytes)], maxBytes, true];
  return { text: new TextDecoder().decode(join(chunks, kept)), cut };
}

function lastBytes(chunks: Uint8Array[], size: number, maxBytes: number): Uint8Array {
  return join(chunks, size).slice(size - maxBytes);
}

function join(chunks: Uint8Array[], size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.length;
  }
  return bytes;
}
