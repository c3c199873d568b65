/**
 * A deliberately tiny RESP2 client for tests and benchmarks: raw reply text back, no parsing
 * beyond finding where a reply ends. The test harness probes servers with it (PING, INFO,
 * CLUSTER INFO, SENTINEL …) without the client library under test and without spawning
 * redis-cli for every poll; benchmarks measure a client's overhead against its bare round trip
 * ({@linkcode RawRespConnection}).
 *
 * @module
 */

/** Where to send a command and how long to wait for the reply. */
export interface RedisCommandOptions {
  /** TCP port on the host. */
  port: number;
  /** Host to connect to. Defaults to `"127.0.0.1"`. */
  hostname?: string;
  /** Sent with `AUTH` on the same connection first, when set. */
  password?: string;
  /** Gives up (and closes the connection) after this long. Defaults to `5_000`. */
  timeoutMs?: number;
}

/** A reply did not arrive in time, or the connection closed before a whole reply arrived. */
export class RedisCommandError extends Error {
  /** @param message what failed and where */
  constructor(message: string) {
    super(message);
    this.name = "RedisCommandError";
  }
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/**
 * Sends one command as a RESP array to `127.0.0.1:port` and returns the raw reply text, e.g.
 * `"+PONG\r\n"` or a bulk string holding `INFO` output. Error replies (`-ERR …`) are returned,
 * not thrown: callers polling a starting server want to see `-LOADING` and try again.
 *
 * @example
 * ```ts
 * const reply = await redisCommand(6379, "PING"); // "+PONG\r\n"
 * ```
 */
export function redisCommand(port: number, ...args: string[]): Promise<string> {
  return redisCommandWith({ port }, ...args);
}

/**
 * {@linkcode redisCommand} with a host, password and timeout.
 *
 * @example
 * ```ts
 * const info = await redisCommandWith({ port: 6379, password: "s3cret" }, "INFO", "server");
 * ```
 */
export async function redisCommandWith(
  { port, hostname = "127.0.0.1", password, timeoutMs = 5_000 }: RedisCommandOptions,
  ...args: string[]
): Promise<string> {
  const commands = password === undefined ? [args] : [["AUTH", password], args];
  const where = `${hostname}:${port}`;
  const deadline = new AbortController();
  let conn: Deno.Conn | undefined;
  // One timer covers connect and read: aborting stops the connect, closing unblocks a read.
  const timer = setTimeout(() => {
    deadline.abort();
    closeQuietly(conn);
  }, timeoutMs);
  try {
    conn = await Deno.connect({ hostname, port, signal: deadline.signal });
    for (const command of commands) await writeAll(conn, encodeCommand(command));
    const replies = await readReplies(conn, commands.length);
    if (password !== undefined && !replies[0].startsWith("+OK")) {
      throw new RedisCommandError(
        `AUTH failed at ${where}: ${replies[0].trim()} (is the password right?)`,
      );
    }
    return replies[replies.length - 1];
  } catch (error) {
    if (error instanceof RedisCommandError) throw error;
    const cause = deadline.signal.aborted ? `timed out after ${timeoutMs} ms` : String(error);
    throw new RedisCommandError(`${args[0]} to redis at ${where} failed: ${cause}`);
  } finally {
    clearTimeout(timer);
    closeQuietly(conn);
  }
}

function closeQuietly(conn: Deno.Conn | undefined): void {
  try {
    conn?.close();
  } catch {
    // Already closed: by the timer, or by the peer.
  }
}

/**
 * Reads one `field:value` line out of `INFO` (or `CLUSTER INFO`) reply text.
 *
 * @example
 * ```ts
 * infoField("# Cluster\r\ncluster_state:ok\r\n", "cluster_state"); // "ok"
 * ```
 */
export function infoField(reply: string, field: string): string | undefined {
  for (const line of reply.split("\r\n")) {
    if (line.startsWith(`${field}:`)) return line.slice(field.length + 1);
  }
  return undefined;
}

/**
 * The bulk strings of an array reply, in order (nested arrays flattened), e.g. the host and
 * port of `SENTINEL get-master-addr-by-name`.
 *
 * @example
 * ```ts
 * bulkStrings("*2\r\n$9\r\n127.0.0.1\r\n$4\r\n6379\r\n"); // ["127.0.0.1", "6379"]
 * ```
 */
export function bulkStrings(reply: string): string[] {
  const bytes = encoder.encode(reply);
  const strings: string[] = [];
  let at = 0;
  while (at < bytes.length) {
    const lineEnd = indexOfCrlf(bytes, bytes.length, at);
    if (lineEnd < 0) break;
    const header = decoder.decode(bytes.subarray(at, lineEnd));
    at = lineEnd + 2;
    if (header[0] === "$") {
      const length = Number(header.slice(1));
      if (length < 0) continue;
      strings.push(decoder.decode(bytes.subarray(at, at + length)));
      at += length + 2;
    }
  }
  return strings;
}

/**
 * Encodes a command as a RESP array of bulk strings, the way clients send it.
 *
 * @example
 * ```ts
 * new TextDecoder().decode(encodeCommand(["PING"])); // "*1\r\n$4\r\nPING\r\n"
 * ```
 */
export function encodeCommand(args: readonly string[]): Uint8Array {
  // Lengths are in bytes, not UTF-16 units.
  const parts = args.map((arg) => `$${encoder.encode(arg).length}\r\n${arg}\r\n`);
  return encoder.encode(`*${args.length}\r\n${parts.join("")}`);
}

/**
 * The offset just past the reply that starts at `at` in `bytes[0, end)`, or -1 when the reply
 * is not complete yet. Knows simple strings, errors, integers, bulk strings and arrays (RESP2).
 *
 * @example
 * ```ts
 * const reply = new TextEncoder().encode("+PONG\r\n");
 * replyEnd(reply, reply.length); // 7
 * ```
 */
export function replyEnd(bytes: Uint8Array, end: number, at = 0): number {
  const lineEnd = indexOfCrlf(bytes, end, at);
  if (lineEnd < 0) return -1;
  const type = String.fromCharCode(bytes[at]);
  const afterLine = lineEnd + 2;
  if (type === "+" || type === "-" || type === ":") return afterLine;
  const length = Number(decoder.decode(bytes.subarray(at + 1, lineEnd)));
  if (type === "$") {
    if (length < 0) return afterLine;
    const last = afterLine + length + 2;
    return last <= end ? last : -1;
  }
  if (type === "*") {
    let next = afterLine;
    for (let i = 0; i < length; i++) {
      next = replyEnd(bytes, end, next);
      if (next < 0) return -1;
    }
    return next;
  }
  throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
}

/** One TCP connection to a Redis server on loopback, sending one command at a time. */
export class RawRespConnection implements Disposable {
  readonly #conn: Deno.TcpConn;
  readonly #buf = new Uint8Array(64 * 1024);

  private constructor(conn: Deno.TcpConn) {
    this.#conn = conn;
  }

  /**
   * Connects to `127.0.0.1:port`, with Nagle off as real clients have it.
   *
   * @example
   * ```ts ignore
   * using conn = await RawRespConnection.open(6379);
   * await conn.call(encodeCommand(["PING"])); // "+PONG\r\n"
   * ```
   */
  static async open(port: number): Promise<RawRespConnection> {
    const conn = await Deno.connect({ hostname: "127.0.0.1", port });
    conn.setNoDelay(true);
    return new RawRespConnection(conn);
  }

  /** Sends an encoded command and reads its whole reply, returned as raw text. */
  async call(request: Uint8Array): Promise<string> {
    await writeAll(this.#conn, request);
    let length = 0;
    for (;;) {
      const n = await this.#conn.read(this.#buf.subarray(length));
      if (n === null) throw new Error("connection closed by the server");
      length += n;
      const end = replyEnd(this.#buf, length);
      if (end >= 0) return decoder.decode(this.#buf.subarray(0, end));
      if (length === this.#buf.length) throw new Error("reply larger than 64 KiB");
    }
  }

  /** Closes the socket. */
  close(): void {
    this.#conn.close();
  }

  [Symbol.dispose](): void {
    this.close();
  }
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  let written = 0;
  while (written < bytes.length) written += await conn.write(bytes.subarray(written));
}

async function readReplies(conn: Deno.Conn, count: number): Promise<string[]> {
  let buffer = new Uint8Array(0);
  const chunk = new Uint8Array(16 * 1024);
  for (;;) {
    const replies: string[] = [];
    let at = 0;
    while (replies.length < count) {
      const end = replyEnd(buffer, buffer.length, at);
      if (end < 0) break;
      replies.push(decoder.decode(buffer.subarray(at, end)));
      at = end;
    }
    if (replies.length === count) return replies;
    const n = await conn.read(chunk);
    if (n === null) throw new Error("connection closed mid-reply");
    const grown = new Uint8Array(buffer.length + n);
    grown.set(buffer);
    grown.set(chunk.subarray(0, n), buffer.length);
    buffer = grown;
  }
}

function indexOfCrlf(bytes: Uint8Array, end: number, from: number): number {
  for (let i = from; i + 1 < end; i++) {
    if (bytes[i] === 13 && bytes[i + 1] === 10) return i;
  }
  return -1;
}
