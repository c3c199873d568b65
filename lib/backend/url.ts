/**
 * Backend URLs: parsing `sqlite:`, `redis://`, `rediss://`, `redis+cluster://`,
 * `redis+sentinel://` and `postgres://` into a typed description, and printing them with the
 * password masked.
 *
 * Redis URLs are parsed by hand rather than with `URL`, because a cluster or sentinel URL holds
 * a comma-separated host list that WHATWG URL parsing rejects.
 *
 * @module
 */

import { UsageError } from "../errors.ts";

/** One `host:port` of a Redis URL. */
export interface HostPort {
  /** A host name or address (IPv6 without brackets). */
  host: string;
  /** The TCP port. */
  port: number;
}

/** Credentials of a Redis URL (or `COORD_PASSWORD`). */
export interface RedisCredentials {
  /** The ACL user; none for the default user. */
  username?: string;
  /** Never printed: messages mask it. */
  password?: string;
}

/** How a Postgres connection uses TLS, after libpq's `sslmode`. */
export type SslMode = "disable" | "prefer" | "require" | "verify-ca" | "verify-full";

/** Where a `postgres://` URL points. */
export interface PostgresTarget {
  /** Always `postgres` (for `postgres://` and `postgresql://`). */
  kind: "postgres";
  /**
   * The server; port default 5432. A host starting with `/` is the directory of the server's
   * Unix socket, `.s.PGSQL.<port>` in it, as libpq reads it ({@link postgresSocketPath}).
   */
  node: HostPort;
  /** The role; default `postgres`. */
  user: string;
  /** Never printed: messages mask it. From the URL, else `COORD_PASSWORD`, else `PGPASSWORD`. */
  password?: string;
  /** The database; default the role's name, as libpq does. */
  database: string;
  /** `prefer` (the default) connects without TLS: node-postgres cannot fall back. */
  sslmode: SslMode;
}

/** What a backend URL asks for. */
export type BackendUrl =
  | { kind: "sqlite"; path: string }
  | PostgresTarget
  | ({ kind: "redis"; tls: boolean; node: HostPort; database: number } & RedisCredentials)
  | ({ kind: "redis-cluster"; tls: boolean; nodes: HostPort[] } & RedisCredentials)
  | ({
    kind: "redis-sentinel";
    sentinels: HostPort[];
    master: string;
    database: number;
  } & RedisCredentials);

/** The URL forms coord accepts, for error messages and help. */
export const SUPPORTED_URLS: string =
  "sqlite:PATH, sqlite::memory:, redis://[user:pass@]host[:port][/db], rediss://…, " +
  "redis+cluster://host:port[,host:port…], redis+sentinel://host:port[,host:port…]/MASTER, " +
  "postgres://[user[:pass]@]host[:port][/db][?sslmode=…], " +
  "postgres://[user[:pass]@]%2FSOCKET_DIR[:port][/db], postgres://[user[:pass]@]/db?host=/SOCKET_DIR";

const MEMORY_PATH = ":memory:";
const REDIS_PORT = 6379;
const SENTINEL_PORT = 26379;
const POSTGRES_PORT = 5432;
const SSL_MODES: readonly SslMode[] = ["disable", "prefer", "require", "verify-ca", "verify-full"];

/**
 * The SQLite file used when no URL is given: `$XDG_STATE_HOME/coord/coord.db`, else
 * `~/.local/state/coord/coord.db`.
 *
 * @example
 * ```ts
 * import { defaultSqlitePath } from "./url.ts";
 * defaultSqlitePath({ HOME: "/home/ann" }); // "/home/ann/.local/state/coord/coord.db"
 * ```
 */
export function defaultSqlitePath(env: Record<string, string | undefined>): string {
  const state = env.XDG_STATE_HOME || `${env.HOME ?? "."}/.local/state`;
  return `${state}/coord/coord.db`;
}

/**
 * Parses a backend URL. `password` (from `COORD_PASSWORD`) is used when the URL has none.
 *
 * @throws {UsageError} on an unknown scheme or a malformed host list.
 * @example
 * ```ts
 * import { parseBackendUrl } from "./url.ts";
 * parseBackendUrl("redis+cluster://10.0.0.1:7000,10.0.0.2:7000");
 * // { kind: "redis-cluster", tls: false, nodes: [{ host: "10.0.0.1", port: 7000 }, …] }
 * ```
 */
export function parseBackendUrl(url: string, password?: string): BackendUrl {
  if (url.startsWith("sqlite:")) return parseSqliteUrl(url);
  // Userinfo runs to the last "@" before the hosts, so a password may hold "@", "/", "?" or "#".
  const m = /^([a-z+]+):\/\/(?:(.*)@)?([^@/?#]*)(\/[^?#]*)?(?:\?.*)?$/i.exec(url);
  const scheme = m?.[1].toLowerCase();
  if (m && (scheme === "postgres" || scheme === "postgresql")) {
    return parsePostgresUrl(url, m[2], m[3], m[4], password);
  }
  if (!m || !["redis", "rediss", "redis+cluster", "redis+sentinel"].includes(scheme!)) {
    throw new UsageError(
      `unsupported backend URL "${maskPassword(url)}" — use one of: ${SUPPORTED_URLS}`,
    );
  }
  const [, , userinfo, hostlist, path = ""] = m;
  const credentials = parseUserinfo(userinfo, url, password);
  const defaultPort = scheme === "redis+sentinel" ? SENTINEL_PORT : REDIS_PORT;
  const nodes = parseHostList(hostlist, defaultPort, url);
  const pathPart = decoded(path.replace(/^\//, ""), url);
  switch (scheme) {
    case "redis":
    case "rediss":
      if (nodes.length !== 1) {
        throw new UsageError(
          `"${maskPassword(url)}" names ${nodes.length} hosts — use redis+cluster:// for a cluster`,
        );
      }
      return {
        kind: "redis",
        tls: scheme === "rediss",
        node: nodes[0],
        database: parseDatabase(pathPart, url),
        ...credentials,
      };
    case "redis+cluster":
      return { kind: "redis-cluster", tls: false, nodes, ...credentials };
    default: {
      const [master, db = ""] = pathPart.split("/");
      if (!master) {
        throw new UsageError(
          `"${maskPassword(url)}" names no master — write redis+sentinel://host:port/MASTER_NAME`,
        );
      }
      return {
        kind: "redis-sentinel",
        sentinels: nodes,
        master,
        database: parseDatabase(db, url),
        ...credentials,
      };
    }
  }
}

/**
 * Prints a backend URL for humans with any password replaced by `***`: what follows the first
 * ":" of its userinfo, which runs to the URL's last "@", as {@link parseBackendUrl} reads it —
 * so a username holding "@" or "/" (Azure's `user@server`), or a password holding quotes or
 * spaces, is masked whole; a libpq-style `?password=` (which coord refuses) too, since the
 * refusal shows the URL. A mistyped scheme (`redis-cluster://`, `redis:`, `redis//`) is masked
 * alike: the refusal shows the URL as given.
 *
 * @example
 * ```ts
 * import { maskPassword } from "./url.ts";
 * maskPassword("redis://app:s3cret@db:6379"); // "redis://app:***@db:6379"
 * maskPassword("postgres://app@srv:s3cret@db/jobs"); // "postgres://app@srv:***@db/jobs"
 * ```
 */
export function maskPassword(url: string): string {
  return url.replace(/^(\s*[a-z][a-z0-9+.-]*(?::(?:\/\/?)?|\/\/))(.*)@/is, masked)
    .replace(/([?&]password=)[^&#\s]*/i, "$1***");
}

/**
 * A URL with userinfo in free text: a scheme with "//" (or one of coord's without, or without
 * its ":": typos), at the start of a word, then the userinfo to the last "@" before the line ends
 * or another URL starts — which masks more than the password where an "@" follows it, never
 * less. Userinfo opening with "[" is a usage line's `[user:password@]`: no URL has one.
 */
const URL_USERINFO = new RegExp(
  String.raw`(?<![a-z0-9+.-])((?:[a-z][a-z0-9+.-]*:\/\/?|(?:rediss?|redis\+(?:cluster|sentinel)|` +
    String.raw`postgres(?:ql)?)(?::|\/\/))(?!\/*\[)(?=[^\s@]*[:@]))` +
    String.raw`((?:(?![^a-z0-9+.-][a-z][a-z0-9+.-]*:\/\/)[^\n])*)@`,
  "gi",
);

/**
 * `text` with the password of every URL in it replaced by `***` (see {@link maskPassword}):
 * for messages that quote a URL as given (a stray argument, a refused URL).
 *
 * @example
 * ```ts
 * import { maskCredentials } from "./url.ts";
 * maskCredentials('unexpected argument "redis://:s3cret@db:6379"');
 * // 'unexpected argument "redis://:***@db:6379"'
 * ```
 */
export function maskCredentials(text: string): string {
  return text.replace(URL_USERINFO, masked);
}

/**
 * The replacement of a URL's userinfo: a username alone (`redis://app@db`) stays; userinfo
 * after a scheme with no "//" (`redis:s3cret@db`, a typo) is masked whole, as it may be all
 * password. A SQLite URL names a path, never credentials.
 */
function masked(found: string, scheme: string, userinfo: string): string {
  if (/^\s*sqlite:/i.test(scheme)) return found;
  const colon = userinfo.indexOf(":");
  if (colon >= 0) return `${scheme}${userinfo.slice(0, colon)}:***@`;
  return scheme.endsWith("/") ? found : `${scheme}***@`;
}

/**
 * The Unix socket a Postgres target names (its host a directory, as libpq reads a host starting
 * with `/`), or undefined where it names a TCP host.
 *
 * @example
 * ```ts
 * import { parseBackendUrl, postgresSocketPath, type PostgresTarget } from "./url.ts";
 * const target = parseBackendUrl("postgres://app@%2Fvar%2Frun%2Fpostgresql/jobs");
 * postgresSocketPath(target as PostgresTarget); // "/var/run/postgresql/.s.PGSQL.5432"
 * ```
 */
export function postgresSocketPath(target: PostgresTarget): string | undefined {
  const { host, port } = target.node;
  if (!host.startsWith("/")) return undefined;
  return `${host.replace(/\/+$/, "")}/.s.PGSQL.${port}`;
}

/** URL parameters a `postgres://` URL may carry, as libpq names them. */
const POSTGRES_PARAMETERS = ["sslmode", "host", "port"];

function parsePostgresUrl(
  url: string,
  userinfo: string | undefined,
  hostlist: string,
  path = "",
  fallbackPassword?: string,
): PostgresTarget {
  const { username, password } = parseUserinfo(userinfo, url, fallbackPassword);
  const user = username ?? "postgres";
  const database = decoded(path.replace(/^\//, ""), url) || user;
  // The query follows the hosts: a "?" in the password is the password's.
  const hostsOn = url.slice(
    url.indexOf("://") + 3 + (userinfo === undefined ? 0 : userinfo.length + 1),
  );
  const query = new URLSearchParams(/\?([^#]*)/.exec(hostsOn)?.[1] ?? "");
  for (const key of query.keys()) {
    if (!POSTGRES_PARAMETERS.includes(key)) {
      const password = key === "password"
        ? "; give a password in the URL's user part or COORD_PASSWORD"
        : "";
      throw new UsageError(
        `unsupported parameter "${key}" in "${maskPassword(url)}" — only ${
          POSTGRES_PARAMETERS.join(", ")
        } are read${password}`,
      );
    }
  }
  const sslmode = (query.get("sslmode") ?? "prefer") as SslMode;
  if (!SSL_MODES.includes(sslmode)) {
    throw new UsageError(
      `bad sslmode "${sslmode}" in "${maskPassword(url)}" — use one of ${SSL_MODES.join(", ")}`,
    );
  }
  return {
    kind: "postgres",
    node: postgresNode(hostlist, query, url),
    user,
    ...(password ? { password } : {}),
    database,
    sslmode,
  };
}

/**
 * The server a `postgres://` URL names: its host part, where a socket directory is written
 * %-encoded (`%2Ftmp`), else (or over it, as libpq lets the query win) `?host=` and `?port=`.
 */
function postgresNode(hostlist: string, query: URLSearchParams, url: string): HostPort {
  const queryHost = query.get("host");
  const queryPort = query.get("port");
  // libpq leaves the host part empty when the query names it (`postgres:///db?host=/tmp`),
  // or keeps only its port (`postgres://:5433/db?host=/tmp`).
  const portOnly = queryHost === null ? null : /^(?::(\d+))?$/.exec(hostlist);
  const nodes = portOnly
    ? [{ host: "", port: portOnly[1] === undefined ? POSTGRES_PORT : Number(portOnly[1]) }]
    : parseHostList(hostlist, POSTGRES_PORT, url);
  if (nodes[0].port < 1 || nodes[0].port > 65535) {
    throw new UsageError(`bad port in "${maskPassword(url)}" — use 1 to 65535`);
  }
  if (nodes.length !== 1) {
    throw new UsageError(`"${maskPassword(url)}" names ${nodes.length} hosts — name one`);
  }
  const host = queryHost ?? decoded(nodes[0].host, url);
  if (host === "" || (host.includes("/") && !host.startsWith("/"))) {
    throw new UsageError(
      `bad host "${host}" in "${maskPassword(url)}" — write host[:port], or a socket ` +
        `directory as %2Fdir in the host part or ?host=/dir`,
    );
  }
  if (queryPort === null) return { host, port: nodes[0].port };
  const port = /^\d+$/.test(queryPort) ? Number(queryPort) : 0;
  if (port < 1 || port > 65535) {
    throw new UsageError(`bad port "${queryPort}" in "${maskPassword(url)}" — use 1 to 65535`);
  }
  return { host, port };
}

function parseSqliteUrl(url: string): BackendUrl {
  let path = url.slice("sqlite:".length);
  if (path.startsWith("//")) path = path.slice(2); // sqlite:///abs/path
  if (path === "") {
    throw new UsageError(`"${url}" names no file — write sqlite:PATH or sqlite::memory:`);
  }
  return { kind: "sqlite", path: path === MEMORY_PATH ? MEMORY_PATH : path };
}

function parseUserinfo(
  userinfo: string | undefined,
  url: string,
  fallback?: string,
): RedisCredentials {
  if (!userinfo) return fallback ? { password: fallback } : {};
  const colon = userinfo.indexOf(":");
  const username = decoded(colon < 0 ? userinfo : userinfo.slice(0, colon), url);
  const password = colon < 0 ? fallback : decoded(userinfo.slice(colon + 1), url);
  return {
    ...(username ? { username } : {}),
    ...(password ? { password } : {}),
  };
}

/**
 * `text` (a part of `url`) with its %-escapes decoded.
 *
 * @throws {UsageError} on a `%` that starts no escape, naming the URL with its password masked.
 */
function decoded(text: string, url: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    throw new UsageError(
      `"${maskPassword(url)}" has a "%" that starts no %XX escape — write "%" itself as %25`,
    );
  }
}

function parseHostList(hostlist: string, defaultPort: number, url: string): HostPort[] {
  return hostlist.split(",").map((entry) => {
    const m = /^(\[[0-9a-f:.]+\]|[^:[\]]+)(?::(\d+))?$/i.exec(entry.trim());
    const port = m?.[2] === undefined ? defaultPort : Number(m[2]);
    if (!m || port < 1 || port > 65535) {
      throw new UsageError(`bad host "${entry}" in "${maskPassword(url)}" — write host:port`);
    }
    return { host: m[1].replace(/^\[|\]$/g, ""), port };
  });
}

function parseDatabase(text: string, url: string): number {
  if (text === "") return 0;
  if (!/^\d+$/.test(text)) {
    throw new UsageError(`bad database "${text}" in "${maskPassword(url)}" — use a number`);
  }
  return Number(text);
}

/** Whether a SQLite path means an in-process database. */
export function isMemoryPath(path: string): boolean {
  return path === MEMORY_PATH;
}
