/**
 * A bare RESP connection over a Deno TCP socket: no parsing beyond finding where a reply ends.
 * It is the floor a Redis client's overhead is measured against.
 *
 * @module
 */

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const CR = 13;
const LF = 10;

/** Encodes a command as a RESP array of bulk strings, the way clients send it. */
export function encodeCommand(args: readonly string[]): Uint8Array {
  const parts = args.map((arg) => `$${encoder.encode(arg).length}\r\n${arg}\r\n`);
  return encoder.encode(`*${args.length}\r\n${parts.join("")}`);
}

/**
 * The offset just past the reply that starts at `at` in `buf[0, end)`, or -1 when the reply
 * is not complete yet. Knows simple strings, errors, integers, bulk strings and arrays
 * (RESP2 — enough for PING and TIME).
 */
export function replyEnd(buf: Uint8Array, end: number, at = 0): number {
  const lineEnd = findCrLf(buf, end, at);
  if (lineEnd < 0) return -1;
  const type = String.fromCharCode(buf[at]);
  const header = decoder.decode(buf.subarray(at + 1, lineEnd));
  const next = lineEnd + 2;
  if (type === "+" || type === "-" || type === ":") return next;
  const count = Number(header);
  if (type === "$") return count < 0 ? next : next + count + 2 <= end ? next + count + 2 : -1;
  if (type === "*") {
    let offset = next;
    for (let i = 0; i < count; i++) {
      offset = replyEnd(buf, end, offset);
      if (offset < 0) return -1;
    }
    return offset;
  }
  throw new Error(`unexpected RESP type byte ${JSON.stringify(type)}`);
}

function findCrLf(buf: Uint8Array, end: number, from: number): number {
  for (let i = from; i + 1 < end; i++) if (buf[i] === CR && buf[i + 1] === LF) return i;
  return -1;
}

/** One TCP connection to a Redis server, sending one command at a time. */
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

/**
 * Sends one command to the server on `127.0.0.1:port` over a connection of its own, and
 * returns the whole reply as raw text.
 *
 * @example
 * ```ts ignore
 * import { callOnce } from "./raw_resp.ts";
 * await callOnce(6379, ["CONFIG", "SET", "hz", "100"]); // "+OK\r\n"
 * ```
 */
export async function callOnce(port: number, args: readonly string[]): Promise<string> {
  using conn = await RawRespConnection.open(port);
  return await conn.call(encodeCommand(args));
}

async function writeAll(conn: Deno.Conn, bytes: Uint8Array): Promise<void> {
  for (let written = 0; written < bytes.length;) {
    written += await conn.write(bytes.subarray(written));
  }
}
