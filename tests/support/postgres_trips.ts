/**
 * Records the round trips clients make to a PostgreSQL server, whatever process they run in (a
 * spawned coord too): a proxy in front of the server reads the messages each client sends. Each
 * Query (simple protocol) or Sync (the end of an extended-protocol batch) is one wait for the
 * server's ReadyForQuery.
 *
 * @module
 */

import { startProxy } from "./proxy.ts";

/** A proxy to a server that records the round trips through it. */
export interface TripRecorder extends AsyncDisposable {
  /** The server's URL, at the proxy. */
  url: string;
  /**
   * The SQL of each round trip so far, every connection's together in the order they were sent:
   * a Query's text, or the last statement a batch parsed ("" for one that parsed none).
   */
  trips: string[];
}

const QUERY = "Q".charCodeAt(0);
const PARSE = "P".charCodeAt(0);
const SYNC = "S".charCodeAt(0);
/** Untyped requests a client may send before its (untyped) startup message: SSL and GSS. */
const BEFORE_STARTUP = new Set([80877103, 80877104]);

/**
 * Starts recording the round trips made to the server at `url`; dispose of it to stop.
 *
 * @example
 * ```ts ignore
 * await using recorder = recordTrips(url);
 * await runCoord(["queue", "status", "q", "--url", recorder.url]);
 * console.log(recorder.trips.length);
 * ```
 */
export function recordTrips(url: string): TripRecorder {
  const target = new URL(url);
  const trips: string[] = [];
  const decoder = new TextDecoder();
  // A C string's text, from `at` in `bytes`.
  const text = (bytes: Uint8Array, at: number) =>
    decoder.decode(bytes.subarray(at, bytes.indexOf(0, at)));
  const proxy = startProxy(Number(target.port), {
    watchClient: () => {
      let pending: Uint8Array = new Uint8Array(0);
      let started = false;
      let parsed = "";
      return (bytes) => {
        pending = concat(pending, bytes);
        for (;;) {
          // A typed message: its type, then its length (which counts itself, not the type).
          const header = started ? 1 : 0;
          if (pending.length < header + 4) return;
          const view = new DataView(pending.buffer, pending.byteOffset);
          const length = view.getInt32(header);
          if (pending.length < header + length) return;
          const message = pending.subarray(0, header + length);
          pending = pending.slice(header + length);
          if (!started) {
            started = !BEFORE_STARTUP.has(view.getInt32(4));
            continue;
          }
          if (message[0] === QUERY) trips.push(text(message, 5));
          // Parse: its statement's name, then its text.
          if (message[0] === PARSE) parsed = text(message, message.indexOf(0, 5) + 1);
          if (message[0] === SYNC) {
            trips.push(parsed);
            parsed = "";
          }
        }
      };
    },
  });
  target.port = String(proxy.port);
  return { url: target.href, trips, [Symbol.asyncDispose]: () => proxy[Symbol.asyncDispose]() };
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
}
