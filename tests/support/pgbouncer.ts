/**
 * A throwaway PgBouncer for tests, in front of a test PostgreSQL server: its own ini file in a
 * temp dir, a free loopback port, `trust` logins for the server's roles. Started as the
 * `postgres` user when the tests run as root (PgBouncer refuses root), and stopped, with its
 * dir removed, when the test is done — or by a watchdog when the test process dies first.
 *
 * @module
 */

import { exists, freePort, processExists } from "./host.ts";
import { lineIn, until } from "./wait.ts";

/** Where Debian's package puts the binary. */
const PGBOUNCER_BIN = "/usr/sbin/pgbouncer";

/** The line printed when the PgBouncer tests are skipped. */
export const PGBOUNCER_SKIP_NOTICE =
  "SKIPPING pgbouncer tests: pgbouncer not found — apt-get install -y pgbouncer";

/** PgBouncer is missing where it must not be (`CI=true`). */
export class PgBouncerMissingError extends Error {
  constructor() {
    super(
      "pgbouncer not found and CI=true, so the pgbouncer tests cannot be skipped: " +
        "apt-get install -y pgbouncer",
    );
    this.name = "PgBouncerMissingError";
  }
}

/**
 * Whether PgBouncer is installed; when it is not, prints {@link PGBOUNCER_SKIP_NOTICE} (or
 * throws {@link PgBouncerMissingError} under `CI=true`).
 *
 * @example
 * ```ts ignore
 * Deno.test({ name: "through pgbouncer", ignore: !pgBouncerAvailable(), fn() {} });
 * ```
 */
export function pgBouncerAvailable(): boolean {
  if (exists(PGBOUNCER_BIN)) return true;
  if (Deno.env.get("CI") === "true") throw new PgBouncerMissingError();
  console.error(PGBOUNCER_SKIP_NOTICE);
  return false;
}

/** How a {@link startPgBouncer} pooler is set up. */
export interface PgBouncerOptions {
  /** `session` or `transaction` (the default: the mode that breaks LISTEN). */
  poolMode?: "session" | "transaction";
  /** Server connections per user and database. Defaults to 2. */
  poolSize?: number;
}

/** A running PgBouncer; disposing of it stops it and removes its dir. */
export interface PgBouncer extends AsyncDisposable {
  /** The upstream URL with PgBouncer's host and port instead of the server's. */
  url: string;
  /**
   * Ends PgBouncer at once, dropping every client, and starts it again on the same port in
   * `poolMode`.
   */
  restart(poolMode: "session" | "transaction"): Promise<void>;
}

/**
 * Waits for its stdin to close (when the test process ends, however it ends), then stops
 * PgBouncer and removes its dir. Interrupts meant for the test runner must not end it first.
 */
const WATCHDOG_SCRIPT = `
trap '' INT HUP TERM
cat >/dev/null
kill "$(cat "$1/pgbouncer.pid" 2>/dev/null)" 2>/dev/null
rm -rf -- "$1"
`;

/**
 * Starts PgBouncer in front of the server at `upstreamUrl` (`postgres://user@127.0.0.1:PORT/db`,
 * as `postgres_server.ts` makes them), and resolves once it accepts connections.
 *
 * @example
 * ```ts ignore
 * await using bouncer = await startPgBouncer(await sharedPostgresUrl());
 * await using backend = await connect({ url: bouncer.url, env: {} });
 * ```
 */
export async function startPgBouncer(
  upstreamUrl: string,
  { poolMode = "transaction", poolSize = 2 }: PgBouncerOptions = {},
): Promise<PgBouncer> {
  const upstream = new URL(upstreamUrl);
  const database = upstream.pathname.slice(1);
  const user = decodeURIComponent(upstream.username);
  const dir = await Deno.makeTempDir({ prefix: "coord-pgbouncer-" });
  const watchdog = new Deno.Command("sh", {
    args: ["-c", WATCHDOG_SCRIPT, "watchdog", dir],
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  watchdog.unref();
  const port = freePort();
  const log = `${dir}/pgbouncer.log`;
  const pidFile = `${dir}/pgbouncer.pid`;
  await Deno.writeTextFile(`${dir}/userlist.txt`, `"${user}" ""\n`);
  const writeIni = (mode: string) =>
    Deno.writeTextFile(
      `${dir}/pgbouncer.ini`,
      [
        "[databases]",
        `${database} = host=${upstream.hostname} port=${upstream.port} dbname=${database}`,
        "[pgbouncer]",
        "listen_addr = 127.0.0.1",
        `listen_port = ${port}`,
        "unix_socket_dir =",
        "auth_type = trust",
        `auth_file = ${dir}/userlist.txt`,
        `pool_mode = ${mode}`,
        `default_pool_size = ${poolSize}`,
        "max_client_conn = 500",
        `logfile = ${log}`,
        `pidfile = ${pidFile}`,
        "",
      ].join("\n"),
    );
  const launch = async () => {
    // The line awaited below must be this start's.
    await Deno.writeTextFile(log, "");
    if (Deno.uid() === 0) await chown(dir);
    const asRoot = Deno.uid() === 0 ? ["-u", "postgres"] : [];
    // -d: it forks into the background once listening, so its exit says it is up (or not).
    const out = await new Deno.Command(PGBOUNCER_BIN, {
      args: ["-d", ...asRoot, `${dir}/pgbouncer.ini`],
      stdin: "null",
      stdout: "piped",
      stderr: "piped",
    }).output();
    if (!out.success) {
      const logText = await Deno.readTextFile(log).catch(() => "");
      throw new Error(`pgbouncer did not start: ${new TextDecoder().decode(out.stderr)}${logText}`);
    }
    await lineIn(log, /process up/);
  };
  /** Ends PgBouncer at once (every client connection with it) and waits until it is gone. */
  const kill = async () => {
    const pid = Number(await Deno.readTextFile(pidFile).catch(() => ""));
    if (!pid) return;
    try {
      Deno.kill(pid, "SIGTERM");
    } catch {
      return; // Already gone.
    }
    await until(() => !processExists(pid), { what: `pgbouncer ${pid} to exit` });
  };
  const stop = async () => {
    await kill().catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await watchdog.stdin.close().catch(() => {});
  };
  try {
    await writeIni(poolMode);
    await launch();
  } catch (e) {
    await stop();
    throw e;
  }
  const restart = async (mode: "session" | "transaction") => {
    await kill();
    await writeIni(mode);
    await launch();
  };
  const url = new URL(upstreamUrl);
  url.port = String(port);
  return { url: url.href, restart, [Symbol.asyncDispose]: stop };
}

async function chown(dir: string): Promise<void> {
  const out = await new Deno.Command("chown", {
    args: ["-R", "postgres:postgres", dir],
    stdout: "piped",
    stderr: "piped",
  }).output();
  if (!out.success) throw new Error(`chown ${dir}: ${new TextDecoder().decode(out.stderr)}`);
}
