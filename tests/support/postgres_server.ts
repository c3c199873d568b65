/**
 * A throwaway PostgreSQL server for tests: `initdb` into a temp dir, `pg_ctl start` on a free
 * loopback port, `pg_ctl stop -m immediate` and the dir removed at the end. Runs the server as
 * the `postgres` user when the tests run as root (initdb refuses root).
 *
 * The server trusts the role `coord` (no password) and asks role `coord_pw` for a password,
 * so tests can check both what a good and what a wrong password do.
 *
 * @module
 */

import { exists, freePort } from "./host.ts";

/** Debian's server binaries, newest version first. */
const BIN_ROOT = "/usr/lib/postgresql";
/** The role with a password, for the wrong-password tests. */
export const PASSWORD_ROLE = "coord_pw";
/** Its password (only ever given to the test server). */
export const PASSWORD_ROLE_SECRET = "s3cret-pw";
/** How long a start or stop may take before the helper gives up (a hang guard). */
const PG_CTL_TIMEOUT_S = 60;

/** A running test server. */
export interface PostgresServer {
  /** `postgres://coord@127.0.0.1:PORT/coord`: the trusted role and its database. */
  url: string;
  port: number;
  /**
   * The directory of the server's Unix socket (`.s.PGSQL.<port>` in it): the server's own
   * temp dir, so no other server's socket is there.
   */
  socketDir: string;
  /** Stops the server at once (as after a crash) and starts it again on the same port. */
  restart(): Promise<void>;
  /**
   * Stops the server as `pg_ctl stop -m mode` does (`fast`: sessions ended, a checkpoint;
   * `immediate`: as a crash), until {@link PostgresServer.start}.
   */
  halt(mode: "fast" | "immediate"): Promise<void>;
  /** Starts a halted server again on the same port. */
  start(): Promise<void>;
  /** Stops the server and removes its directory. */
  stop(): Promise<void>;
}

/** The server binaries' directory, or undefined when PostgreSQL is not installed. */
export function postgresBinDir(): string | undefined {
  try {
    const versions = [...Deno.readDirSync(BIN_ROOT)].map((e) => e.name)
      .filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a));
    const found = versions.map((v) => `${BIN_ROOT}/${v}/bin`)
      .find((dir) => exists(`${dir}/initdb`) && exists(`${dir}/pg_ctl`));
    return found;
  } catch {
    return undefined;
  }
}

/** Thrown when the server cannot be set up; carries the tool's output. */
export class PostgresStartError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PostgresStartError";
  }
}

const live = new Set<{ dir: string; bin: string }>();

/**
 * One `sh` per server that waits for its stdin to close — when this process ends, however it
 * ends (a runner killed with SIGKILL runs no unload handler) — then stops the server and
 * removes its directory. Interrupts meant for the test runner must not end it first.
 */
const WATCHDOG_SCRIPT = `
trap '' INT HUP TERM
cat >/dev/null
if [ "$3" = root ]; then
  runuser -u postgres -- "$1/pg_ctl" -D "$2/data" -m immediate stop
else
  "$1/pg_ctl" -D "$2/data" -m immediate stop
fi >/dev/null 2>&1
rm -rf -- "$2"
`;

function startWatchdog(bin: string, dir: string): WritableStream<Uint8Array> {
  const child = new Deno.Command("sh", {
    args: ["-c", WATCHDOG_SCRIPT, "watchdog", bin, dir, Deno.uid() === 0 ? "root" : "user"],
    stdin: "piped",
    stdout: "null",
    stderr: "null",
  }).spawn();
  child.unref();
  return child.stdin;
}

globalThis.addEventListener("unload", () => {
  for (const server of live) {
    try {
      asServer(server.bin, "pg_ctl", ["-D", `${server.dir}/data`, "-m", "immediate", "stop"])
        .outputSync();
    } catch {
      // Best effort: the process is going away. The server also stops by itself within a
      // minute once its data directory is gone.
    }
    try {
      Deno.removeSync(server.dir, { recursive: true });
    } catch {
      // Same.
    }
  }
});

/**
 * Starts a server. Throws {@link PostgresStartError} when PostgreSQL is not installed or does
 * not come up.
 *
 * @example
 * ```ts ignore
 * const server = await startPostgres();
 * try { console.log(server.url); } finally { await server.stop(); }
 * ```
 */
export async function startPostgres(): Promise<PostgresServer> {
  const bin = postgresBinDir();
  if (!bin) throw new PostgresStartError("PostgreSQL is not installed (initdb not found)");
  const dir = await Deno.makeTempDir({ prefix: "coord-pg-" });
  const server = { dir, bin };
  live.add(server);
  const watchdog = startWatchdog(bin, dir);
  try {
    if (Deno.uid() === 0) await chown(dir);
    const data = `${dir}/data`;
    await check(
      asServer(bin, "initdb", [
        "-D",
        data,
        "-U",
        "postgres",
        "--auth-local=trust",
        "--auth-host=trust",
        "-E",
        "UTF8",
        "--no-sync",
      ]),
      "initdb",
    );
    // Trusted unless the role is the password one; host lines are read top to bottom.
    await Deno.writeTextFile(
      `${data}/pg_hba.conf`,
      [
        `local all all trust`,
        `host all ${PASSWORD_ROLE} 127.0.0.1/32 scram-sha-256`,
        `host all all 127.0.0.1/32 trust`,
        "",
      ].join("\n"),
    );
    const port = freePort();
    const start = () =>
      check(
        asServer(bin, "pg_ctl", [
          "-D",
          data,
          "-l",
          `${dir}/server.log`,
          "-w",
          "-t",
          String(PG_CTL_TIMEOUT_S),
          "-o",
          // fsync off: the tests measure behaviour, not the disk; a crash of the server
          // process (not the host) loses nothing that was committed either way.
          `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300`,
          "start",
        ]),
        "pg_ctl start",
        `${dir}/server.log`,
      );
    await start();
    await psql(bin, dir, port, [
      `CREATE ROLE coord LOGIN SUPERUSER`,
      `CREATE DATABASE coord OWNER coord`,
      `CREATE ROLE ${PASSWORD_ROLE} LOGIN PASSWORD '${PASSWORD_ROLE_SECRET}'`,
      `GRANT CREATE ON DATABASE coord TO ${PASSWORD_ROLE}`,
    ]);
    const stopNow = (mode: string) =>
      check(asServer(bin, "pg_ctl", ["-D", data, "-m", mode, "-w", "stop"]), "pg_ctl stop");
    return {
      url: `postgres://coord@127.0.0.1:${port}/coord`,
      port,
      socketDir: dir,
      async restart() {
        await stopNow("immediate");
        await start();
      },
      halt: stopNow,
      start,
      async stop() {
        if (!live.has(server)) return;
        live.delete(server);
        await stopNow("immediate").catch(() => {});
        await Deno.remove(dir, { recursive: true }).catch(() => {});
        await watchdog.close().catch(() => {});
      },
    };
  } catch (e) {
    live.delete(server);
    await asServer(bin, "pg_ctl", ["-D", `${dir}/data`, "-m", "immediate", "stop"]).output()
      .catch(() => {});
    await Deno.remove(dir, { recursive: true }).catch(() => {});
    await watchdog.close().catch(() => {});
    throw e;
  }
}

/** A server tool, run as `postgres` when we are root. */
function asServer(bin: string, tool: string, args: string[]): Deno.Command {
  const [cmd, pre] = Deno.uid() === 0
    ? ["runuser", ["-u", "postgres", "--", `${bin}/${tool}`]]
    : [`${bin}/${tool}`, []];
  return new Deno.Command(cmd as string, {
    args: [...pre as string[], ...args],
    stdin: "null",
    stdout: "piped",
    stderr: "piped",
    // The server must not inherit a test's PG* settings.
    clearEnv: true,
    env: { PATH: Deno.env.get("PATH") ?? "/usr/bin:/bin", LANG: "C.UTF-8" },
  });
}

async function check(command: Deno.Command, what: string, log?: string): Promise<void> {
  const out = await command.output();
  if (out.success) return;
  const decode = (b: Uint8Array) => new TextDecoder().decode(b);
  const logText = log ? await Deno.readTextFile(log).catch(() => "") : "";
  throw new PostgresStartError(
    `${what} failed (${out.code}): ${decode(out.stderr)}${decode(out.stdout)}${logText}`,
  );
}

async function psql(bin: string, dir: string, port: number, statements: string[]) {
  for (const sql of statements) {
    await check(
      asServer(bin, "psql", ["-h", dir, "-p", String(port), "-U", "postgres", "-c", sql]),
      `psql ${sql}`,
    );
  }
}

async function chown(dir: string): Promise<void> {
  await check(
    new Deno.Command("chown", {
      args: ["postgres:postgres", dir],
      stdout: "piped",
      stderr: "piped",
    }),
    "chown",
  );
}
