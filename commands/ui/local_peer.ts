/**
 * A console without credentials on a loopback address serves only the user who started it (and
 * root): on a host shared with other users, any of them could otherwise open
 * `http://127.0.0.1:8080/` and read the jobs' arguments and results — a SQLite file's, which is
 * private to its owner (0600), or a Redis server's they have no password for — and act on them.
 * Who is at the other end of a connection is the user owning the client's socket, as Linux lists
 * sockets in `/proc/net/tcp` and `/proc/net/tcp6` (as identd answers it); an SSH tunnel's end is
 * the user logged in, a port forwarder's or a reverse proxy's the user running it.
 *
 * @module
 */

/** The answer to a request of another user's, or of one that cannot be told. */
function refusal(uid: number | undefined): Response {
  const who = uid === undefined ? "a connection whose user cannot be told" : `uid ${uid}`;
  return new Response(
    `refused: without credentials this console serves only its own user (uid ${Deno.uid()}) ` +
      `and root, not ${who} — set COORD_UI_USER and COORD_UI_PASSWORD to open it to others\n`,
    { status: 403, headers: { "content-type": "text/plain; charset=utf-8" } },
  );
}

/**
 * `handler`, answering a request 403 unless the user at the other end of its connection is this
 * process's or root, or it asks `base`'s `/health` (a probe learns only whether the backend
 * answers). `server` is the address the console listens on, a loopback one. Where the system
 * lists no sockets (no `/proc`: not Linux), every request is answered.
 *
 * @example
 * ```ts ignore
 * let server: Deno.HttpServer<Deno.NetAddr>;
 * server = Deno.serve({ hostname: "127.0.0.1", port: 8080 }, onlyOwnUser(handler, "", () => server.addr));
 * ```
 */
export function onlyOwnUser(
  handler: (request: Request) => Promise<Response>,
  base: string,
  server: () => Deno.NetAddr,
): (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => Promise<Response> {
  const own = Deno.uid();
  return async (request, info) => {
    if (own !== null && new URL(request.url).pathname !== `${base}/health`) {
      const peer = await peerUid(info.remoteAddr, server());
      if (peer !== "unlisted" && peer !== own && peer !== 0) return refusal(peer);
    }
    return await handler(request);
  };
}

/**
 * The uid owning the client's end of the open TCP connection from `client` to `server` (both
 * on this host); undefined when no open connection has those ends (it closed, or the system's
 * list differs), "unlisted" where the system lists no sockets.
 */
export async function peerUid(
  client: Deno.NetAddr,
  server: Deno.NetAddr,
): Promise<number | undefined | "unlisted"> {
  const [from, to] = [addressBytes(client.hostname), addressBytes(server.hostname)];
  if (!from || !to) return undefined;
  // The two ends as the kernel prints the client's socket: `ADDRESS:PORT ADDRESS:PORT `.
  const ends = `${procAddress(from)}:${procPort(client.port)} ` +
    `${procAddress(to)}:${procPort(server.port)} `;
  let listed = false;
  for (const table of to.length === 4 ? ["/proc/net/tcp"] : ["/proc/net/tcp6"]) {
    let text: string;
    try {
      text = await Deno.readTextFile(table);
    } catch {
      continue;
    }
    listed = true;
    // The one open socket with these ends. A closed one (TIME_WAIT) lingers with uid 0, and
    // another user may open a socket with the same ends once it is gone: only an open one tells.
    for (let at = text.indexOf(ends); at >= 0; at = text.indexOf(ends, at + 1)) {
      if (text[at - 1] !== " ") continue; // inside a longer field
      // sl: local rem st tx_queue:rx_queue tr:tm->when retrnsmt uid …
      const fields = text.slice(at, text.indexOf("\n", at)).trim().split(/\s+/);
      if (!OPEN_STATES.has(fields[2])) continue;
      const uid = Number(fields[6]);
      if (Number.isInteger(uid)) return uid;
    }
  }
  return listed ? undefined : "unlisted";
}

/**
 * The states of a client's socket attached to its process (`include/net/tcp_states.h`):
 * established, and half-closed by the client (FIN_WAIT1, FIN_WAIT2).
 */
const OPEN_STATES = new Set(["01", "04", "05"]);

/** Whether this machine stores a 32-bit word's lowest byte first, as `/proc` prints it. */
const LITTLE_ENDIAN = new Uint8Array(new Uint32Array([1]).buffer)[0] === 1;

/** An address as `/proc/net/tcp*` prints it: each 32-bit word in the machine's order, in hex. */
function procAddress(bytes: number[]): string {
  let text = "";
  for (let word = 0; word < bytes.length; word += 4) {
    const four = bytes.slice(word, word + 4);
    for (const b of LITTLE_ENDIAN ? four.reverse() : four) text += hex(b, 2);
  }
  return text;
}

function procPort(port: number): string {
  return hex(port, 4);
}

function hex(n: number, digits: number): string {
  return n.toString(16).toUpperCase().padStart(digits, "0");
}

/**
 * The bytes of an IPv4 address (4) or an IPv6 one (16) as Deno names an end; undefined for
 * anything else.
 */
function addressBytes(hostname: string): number[] | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(hostname);
  if (v4) {
    const bytes = v4.slice(1).map(Number);
    return bytes.every((b) => b <= 255) ? bytes : undefined;
  }
  if (!hostname.includes(":")) return undefined;
  // An IPv6 address may end in a dotted IPv4 one (::ffff:127.0.0.1).
  const dotted = /:(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(hostname);
  const tail = dotted ? addressBytes(dotted[1]) : [];
  if (!tail) return undefined;
  const text = dotted ? `${hostname.slice(0, -dotted[1].length)}0:0` : hostname;
  const [head, rest, extra] = text.split("::");
  if (extra !== undefined) return undefined;
  const groups = (part?: string) => part ? part.split(":").map((g) => parseInt(g, 16)) : [];
  const [before, after] = [groups(head), groups(rest)];
  const missing = 8 - before.length - after.length;
  if (missing < 0 || (rest === undefined && missing !== 0)) return undefined;
  const words = [...before, ...Array(missing).fill(0), ...after];
  if (words.some((w) => !(w >= 0 && w <= 0xffff))) return undefined;
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  if (dotted) bytes.splice(12, 4, ...tail);
  return bytes;
}
