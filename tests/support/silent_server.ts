/**
 * A TCP server that accepts connections and never answers: a Redis or PostgreSQL whose handshake
 * hangs, the reliable stand-in for a host behind a black-holing firewall (a client's attempt
 * waits for its connect timeout either way).
 *
 * @module
 */

/** The backend kinds whose handshake a silent server hangs. */
export type SilentKind = "redis" | "cluster" | "sentinel" | "postgres";

/** A running silent server. */
export interface SilentServer extends AsyncDisposable {
  port: number;
  /** A URL of `kind` at it (a sentinel's names a master, a PostgreSQL's a user and database). */
  url(kind: SilentKind): string;
  /** Resolves once a first connection is accepted: a client's attempt is under way. */
  accepted: Promise<void>;
  /**
   * Resolves once every connection accepted so far has been closed by its client: an attempt
   * given up left no socket behind.
   */
  dropped(): Promise<void>;
}

/**
 * Starts a silent server on a free loopback port; disposing of it closes it and every connection
 * it holds.
 *
 * @example
 * ```ts ignore
 * await using silent = silentServer();
 * const coord = spawnCoord(["queue", "work", "q", "--url", silent.url("redis")]);
 * await silent.accepted;
 * ```
 */
export function silentServer(): SilentServer {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  const held: Deno.Conn[] = [];
  const closings: Promise<void>[] = [];
  let accepted!: () => void;
  const firstAccepted = new Promise<void>((resolve) => accepted = resolve);
  const accepting = (async () => {
    for await (const conn of listener) {
      held.push(conn);
      // What the client sends (a HELLO, a startup message) is read and left unanswered.
      closings.push(
        (async () => {
          const buffer = new Uint8Array(4096);
          while (await conn.read(buffer) !== null);
        })().catch(() => {}),
      );
      accepted();
    }
  })().catch(() => {});
  return {
    port,
    url: (kind) =>
      ({
        redis: `redis://127.0.0.1:${port}`,
        cluster: `redis+cluster://127.0.0.1:${port}`,
        sentinel: `redis+sentinel://127.0.0.1:${port}/coordmaster`,
        postgres: `postgres://coord@127.0.0.1:${port}/coord`,
      })[kind],
    accepted: firstAccepted,
    dropped: async () => void await Promise.all(closings),
    async [Symbol.asyncDispose]() {
      listener.close();
      await accepting;
      for (const conn of held) {
        try {
          conn.close();
        } catch {
          // its client closed it first
        }
      }
    },
  };
}
