/**
 * A TCP proxy on loopback that can be paused: bytes stop flowing both ways while every
 * connection stays open, as with a network partition or a black-holing firewall (the client
 * sees no error, only silence).
 *
 * @module
 */

import { type RedisServer, redisServerAvailable, startStandalone } from "./redis_servers.ts";

/** A running proxy. */
export interface PausableProxy extends AsyncDisposable {
  port: number;
  /** Stops forwarding (connections stay open). */
  pause(): void;
  resume(): void;
}

/** How a {@link startProxy} proxy is set up. */
export interface ProxyOptions {
  /**
   * Called for each connection accepted; what it returns is given every chunk of bytes the
   * client sends upstream, in order (a test reads the client's protocol messages from them).
   */
  watchClient?: () => (bytes: Uint8Array) => void;
}

/**
 * Starts a proxy from a free loopback port to `upstreamPort`.
 *
 * @example
 * ```ts ignore
 * await using proxy = startProxy(6379);
 * proxy.pause();
 * ```
 */
export function startProxy(
  upstreamPort: number,
  { watchClient }: ProxyOptions = {},
): PausableProxy {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  let paused = false;
  let resumed: () => void = () => {};
  let flowing = Promise.resolve();
  const conns: Deno.Conn[] = [];
  const pump = async (from: Deno.Conn, to: Deno.Conn, watch?: (bytes: Uint8Array) => void) => {
    const buffer = new Uint8Array(64 * 1024);
    try {
      for (;;) {
        const n = await from.read(buffer);
        if (n === null) break;
        watch?.(buffer.slice(0, n));
        while (paused) await flowing;
        await to.write(buffer.subarray(0, n));
      }
    } catch {
      // a side closed
    }
    // What one side closed the other hears of, once bytes flow again (as a FIN would).
    while (paused) await flowing;
    try {
      to.close();
    } catch {
      // already closed
    }
  };
  const accepting = (async () => {
    for await (const client of listener) {
      const upstream = await Deno.connect({ hostname: "127.0.0.1", port: upstreamPort });
      conns.push(client, upstream);
      pump(client, upstream, watchClient?.());
      pump(upstream, client);
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    pause() {
      paused = true;
      flowing = new Promise((resolve) => (resumed = resolve));
    },
    resume() {
      paused = false;
      resumed();
    },
    async [Symbol.asyncDispose]() {
      listener.close();
      for (const conn of conns) {
        try {
          conn.close();
        } catch {
          // already closed
        }
      }
      this.resume();
      await accepting;
    },
  };
}

/** What {@link partitionTest} hands its test. */
export interface PartitionCase {
  /** A Redis server of the test's own. */
  server: RedisServer;
  /** A proxy in front of it, to cut the connections of what is spawned through it. */
  proxy: PausableProxy;
  /** A temporary directory, removed afterwards. */
  dir: string;
}

/**
 * Registers a test that gets its own Redis server behind a pausable proxy and a temporary
 * directory, all stopped and removed afterwards; ignored without redis-server.
 */
export function partitionTest(name: string, fn: (c: PartitionCase) => Promise<void>): void {
  Deno.test({
    name,
    ignore: !redisServerAvailable(),
    async fn() {
      const server = await startStandalone();
      const dir = await Deno.makeTempDir();
      try {
        await using proxy = startProxy(server.port);
        await fn({ server, proxy, dir });
      } finally {
        await server.stop();
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}
