/**
 * Server-sent events: a response whose body is a stream of `data:` messages, one per update,
 * with a comment line now and then so a dead connection is noticed and proxies keep it open.
 *
 * @module
 */

const KEEPALIVE_MS = 15_000;

/**
 * Streams each value `updates` yields as one message (JSON), until it ends or the client
 * goes away.
 *
 * @example
 * ```ts
 * import { sseResponse } from "./sse.ts";
 * const response = sseResponse(async function* () {
 *   yield { html: "<p>hi</p>" };
 * }(), new AbortController());
 * ```
 */
export function sseResponse(
  updates: AsyncIterable<unknown>,
  done: AbortController,
): Response {
  const encoder = new TextEncoder();
  let keepalive: ReturnType<typeof setInterval> | undefined;
  const body = new ReadableStream<Uint8Array>({
    async start(controller) {
      keepalive = setInterval(() => {
        try {
          controller.enqueue(encoder.encode(": keepalive\n\n"));
        } catch {
          done.abort();
        }
      }, KEEPALIVE_MS);
      try {
        for await (const update of updates) {
          if (done.signal.aborted) break;
          controller.enqueue(encoder.encode(`data: ${JSON.stringify(update)}\n\n`));
        }
        controller.close();
      } catch {
        // The client went away: enqueue on a cancelled stream throws.
      } finally {
        clearInterval(keepalive);
        done.abort();
      }
    },
    cancel() {
      clearInterval(keepalive);
      done.abort();
    },
  });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    },
  });
}
