/**
 * A console without credentials serves only the user who started it (and root), also over
 * loopback: on a host shared with other users, any of them could otherwise open
 * `http://127.0.0.1:8080/` and read the jobs' arguments and results — a SQLite file's, which is
 * private to its owner (0600), or a Redis server's they have no password for — and act on them.
 * Who is at the other end of a loopback connection is the user owning the client's socket, as
 * Linux lists sockets in `/proc/net/tcp` and `/proc/net/tcp6` (as identd answers it); an SSH
 * tunnel's end is the user logged in, a port forwarder's the user running it.
 *
 * @module
 */

/** Why another local user is refused. */
function refusal(uid: number): Response {
  return new Response(
    `refused: without credentials this console serves only its own user (uid ${Deno.uid()}) ` +
      `and root, not uid ${uid} — set COORD_UI_USER and COORD_UI_PASSWORD to open it to others\n`,
    { status: 403, headers: { "content-type": "text/plain; charset=utf-8" } },
  );
}

/**
 * `handler`, answering another local user's request 403 unless it asks `base`'s `/health` (a
 * probe learns only whether the backend answers). Where the system does not tell who is at the
 * other end (no `/proc`: not Linux), every request is answered, as before.
 *
 * @example
 * ```ts ignore
 * let server: Deno.HttpServer<Deno.NetAddr>;
 * server = Deno.serve(onlyOwnUser(handler, "", () => server.addr.port));
 * ```
 */
export function onlyOwnUser(
  handler: (request: Request) => Promise<Response>,
  base: string,
  port: () => number,
): (request: Request, info: Deno.ServeHandlerInfo<Deno.NetAddr>) => Promise<Response> {
  const own = Deno.uid();
  return async (request, info) => {
    if (own !== null && new URL(request.url).pathname !== `${base}/health`) {
      const uid = await loopbackPeerUid(info.remoteAddr, port());
      if (uid !== undefined && uid !== own && uid !== 0) return refusal(uid);
    }
    return await handler(request);
  };
}

/**
 * The uid owning the client's end of the TCP connection from `client` to this host's
 * `serverPort`; undefined for a client not on loopback (the host check and the credentials
 * guard those), or where the system does not say.
 */
export async function loopbackPeerUid(
  client: Deno.NetAddr,
  serverPort: number,
): Promise<number | undefined> {
  const address = addressBytes(client.hostname);
  if (address === undefined || !isLoopbackBytes(address)) return undefined;
  const wanted = canonical(address);
  for (const table of ["/proc/net/tcp", "/proc/net/tcp6"]) {
    let text: string;
    try {
      text = await Deno.readTextFile(table);
    } catch {
      continue;
    }
    for (const line of text.split("\n").slice(1)) {
      // sl local_address rem_address st queues tr retrnsmt uid …
      const fields = line.trim().split(/\s+/);
      if (fields.length < 8) continue;
      const [local, remote] = [procEndpoint(fields[1]), procEndpoint(fields[2])];
      if (!local || !remote) continue;
      if (local.port !== client.port || remote.port !== serverPort) continue;
      if (canonical(local.bytes) !== wanted || !isLoopbackBytes(remote.bytes)) continue;
      const uid = Number(fields[7]);
      if (Number.isInteger(uid)) return uid;
    }
  }
  return undefined;
}

/** An endpoint as `/proc/net/tcp*` writes it: each 32-bit word of the address little-endian. */
function procEndpoint(text: string): { bytes: number[]; port: number } | undefined {
  const match = /^([0-9A-F]{8}|[0-9A-F]{32}):([0-9A-F]{4})$/i.exec(text);
  if (!match) return undefined;
  const bytes: number[] = [];
  for (let word = 0; word < match[1].length; word += 8) {
    for (let i = 6; i >= 0; i -= 2) {
      bytes.push(parseInt(match[1].slice(word + i, word + i + 2), 16));
    }
  }
  return { bytes, port: parseInt(match[2], 16) };
}

/** The bytes of an IPv4 or IPv6 address as Deno names a peer; undefined for anything else. */
function addressBytes(hostname: string): number[] | undefined {
  const v4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(hostname);
  if (v4) return v4.slice(1).map(Number);
  if (!hostname.includes(":")) return undefined;
  // An IPv6 address may end in a dotted IPv4 one (::ffff:127.0.0.1).
  const dotted = /(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(hostname);
  const tail = dotted ? addressBytes(dotted[1]) ?? [] : [];
  const text = dotted ? hostname.slice(0, -dotted[1].length).replace(/:$/, ":0:0") : hostname;
  const [head, rest] = text.split("::");
  const groups = (part?: string) => part ? part.split(":").map((g) => parseInt(g, 16)) : [];
  const [before, after] = [groups(head), groups(rest)];
  const missing = 8 - before.length - after.length;
  if (missing < 0 || (rest === undefined && missing !== 0)) return undefined;
  const words = [...before, ...Array(missing).fill(0), ...after];
  const bytes = words.flatMap((w) => [w >> 8, w & 0xff]);
  if (dotted) bytes.splice(12, 4, ...tail);
  return bytes.some((b) => !(b >= 0 && b <= 255)) ? undefined : bytes;
}

/** An address as compared: an IPv4-mapped IPv6 address as its IPv4 one. */
function canonical(bytes: number[]): string {
  const mapped = bytes.length === 16 && bytes.slice(0, 10).every((b) => b === 0) &&
    bytes[10] === 0xff && bytes[11] === 0xff;
  return (mapped ? bytes.slice(12) : bytes).join(".");
}

/** 127.0.0.0/8, ::1, or an IPv4-mapped 127.0.0.0/8. */
function isLoopbackBytes(bytes: number[]): boolean {
  const v4 = canonical(bytes).split(".").map(Number);
  if (v4.length === 4) return v4[0] === 127;
  return bytes.slice(0, 15).every((b) => b === 0) && bytes[15] === 1;
}
