/**
 * Replies that show the URL names the wrong kind of server: `redis://` at a Cluster node,
 * `redis://` at a sentinel, `redis+sentinel://` at a server that is no sentinel. Asking again
 * never helps, so these are usage errors that say which URL to write instead — not an outage
 * ("is the server up?") nor an internal error.
 *
 * @module
 */

import { UsageError } from "../../errors.ts";
import type { HostPort } from "../url.ts";

/**
 * The usage error for `reply`, a server's error reply to a command sent over a `redis://` URL
 * to `node`, when it shows the server is a Cluster node or a sentinel; else undefined.
 *
 * @example
 * ```ts
 * import { standaloneWrongKind } from "./wrong_kind.ts";
 * const e = standaloneWrongKind("redis://h:7000", { host: "h", port: 7000 }, "MOVED 3999 h:7001");
 * e?.exitCode; // 64
 * ```
 */
export function standaloneWrongKind(
  displayUrl: string,
  node: HostPort,
  reply: string,
): UsageError | undefined {
  const at = `${node.host}:${node.port}`;
  const redirect = /^(MOVED|ASK|CLUSTERDOWN)\b/.exec(reply)?.[1];
  if (redirect) {
    return new UsageError(
      `${displayUrl} is a Redis Cluster node (it answered ${redirect}) — use ` +
        `redis+cluster://${at}`,
    );
  }
  // A sentinel knows none of the data commands coord sends (EVALSHA, SCAN, TIME…).
  if (/^ERR unknown command '(EVALSHA|EVAL|SCAN|TIME|GET|HGET)'/i.test(reply)) {
    return new UsageError(
      `${displayUrl} does not know ${reply.split("'")[1]}: a sentinel? use ` +
        `redis+sentinel://${at}/MASTER`,
    );
  }
  return undefined;
}

/**
 * The usage error for a sentinel address that answered `SENTINEL` with `reply`, when that shows
 * it is a plain Redis server or a Cluster node; else undefined.
 *
 * @example
 * ```ts
 * import { notSentinel } from "./wrong_kind.ts";
 * notSentinel({ host: "h", port: 6379 }, "ERR unknown command 'SENTINEL'")?.exitCode; // 64
 * ```
 */
export function notSentinel(sentinel: HostPort, reply: string): UsageError | undefined {
  if (!/^ERR unknown command 'SENTINEL'/i.test(reply)) return undefined;
  const at = `${sentinel.host}:${sentinel.port}`;
  return new UsageError(
    `${at} is a Redis server, not a sentinel — for it alone use redis://${at}, for a ` +
      `Cluster node redis+cluster://${at}`,
  );
}

/**
 * The usage error for a `redis+cluster://` root node whose reply to the cluster's discovery was
 * `reply`, when that shows it is a server without cluster mode or a sentinel; else undefined.
 *
 * @example
 * ```ts
 * import { notClusterNode } from "./wrong_kind.ts";
 * const reply = "ERR This instance has cluster support disabled";
 * notClusterNode({ host: "h", port: 6379 }, reply)?.exitCode; // 64
 * ```
 */
export function notClusterNode(node: HostPort, reply: string): UsageError | undefined {
  const at = `${node.host}:${node.port}`;
  if (/cluster support disabled/i.test(reply)) {
    return new UsageError(`${at} is a Redis server without cluster mode — use redis://${at}`);
  }
  if (/^ERR unknown command 'CLUSTER'/i.test(reply)) {
    return new UsageError(
      `${at} knows no CLUSTER command: a sentinel? use redis+sentinel://${at}/MASTER`,
    );
  }
  return undefined;
}
