/**
 * A connection the server drops while coord writes a step's statements into it: the user gets
 * the outage's exit code and coord's words for it, never an internal error (70) nor the
 * socket's own (`write EPIPE`).
 */

import assert from "node:assert/strict";
import { runCoord } from "./support/cli.ts";
import { freshNamespace } from "./support/backends.ts";
import { sharedPostgresUrl } from "./support/postgres_shared.ts";

const url = await sharedPostgresUrl();

/** Bytes a connection may send upstream before the proxy drops it (a step's megabytes pass). */
const CUT_AFTER_BYTES = 200_000;

/**
 * A proxy to `upstreamPort` that drops a connection, both ways at once, once its client has
 * sent {@link CUT_AFTER_BYTES}: as a server ending a step mid-statement would (its
 * idle-in-transaction timer, a restart).
 */
function startCuttingProxy(
  upstreamPort: number,
): { port: number; cut: Promise<void> } & AsyncDisposable {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const conns: Deno.Conn[] = [];
  let cutDone: () => void = () => {};
  const cut = new Promise<void>((resolve) => (cutDone = resolve));
  const close = (conn: Deno.Conn) => {
    try {
      conn.close();
    } catch {
      // already closed
    }
  };
  const pump = async (from: Deno.Conn, to: Deno.Conn, limit: number) => {
    const buffer = new Uint8Array(64 * 1024);
    let sent = 0;
    try {
      for (;;) {
        const n = await from.read(buffer);
        if (n === null) break;
        await to.write(buffer.subarray(0, n));
        sent += n;
        if (sent > limit) {
          close(from);
          close(to);
          cutDone();
          return;
        }
      }
    } catch {
      // a side closed
    }
    close(to);
  };
  const accepting = (async () => {
    for await (const client of listener) {
      const upstream = await Deno.connect({ hostname: "127.0.0.1", port: upstreamPort });
      conns.push(client, upstream);
      pump(client, upstream, CUT_AFTER_BYTES);
      pump(upstream, client, Infinity);
    }
  })().catch(() => {});
  return {
    port: (listener.addr as Deno.NetAddr).port,
    cut,
    async [Symbol.asyncDispose]() {
      listener.close();
      conns.forEach(close);
      await accepting;
    },
  };
}

Deno.test({
  name: "a flow whose step's connection the server drops mid-statement exits 69 saying so",
  ignore: url === undefined,
  async fn() {
    const target = new URL(url!);
    await using proxy = startCuttingProxy(Number(target.port));
    const through = new URL(url!);
    through.port = String(proxy.port);
    const namespace = freshNamespace();
    const file = await Deno.makeTempFile({ suffix: ".json" });
    try {
      // Four parts of 0.9 MB: one statement of 3.6 MB, cut while it is being written.
      await Deno.writeTextFile(
        file,
        JSON.stringify({
          parallel: Array.from({ length: 4 }, () => ({ handler: "h", args: "x".repeat(900_000) })),
        }),
      );
      const put = await runCoord([
        "queue",
        "flow",
        "big",
        file,
        "--id",
        "f",
        "--url",
        through.href,
        "--namespace",
        namespace,
      ]);
      await proxy.cut;
      assert.equal(put.code, 69, put.stderr);
      const lines = put.stderr.trim().split("\n");
      assert.equal(lines.length, 1, put.stderr);
      assert.match(lines[0], /^coord: postgres:\/\/.*: the server closed the connection$/);
      // The step was undone whole: nothing of the flow stored.
      const status = await runCoord([
        "queue",
        "status",
        "big",
        "--json",
        "--url",
        url!,
        "--namespace",
        namespace,
      ]);
      assert.equal(status.code, 0, status.stderr);
      assert.doesNotMatch(status.stdout, /"pending":[1-9]|"waiting":[1-9]/, status.stdout);
    } finally {
      await Deno.remove(file);
    }
  },
});
