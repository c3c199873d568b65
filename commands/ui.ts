/**
 * `coord ui`: the web console. Flags, credentials from the environment, the loopback rule,
 * listening and stopping; the console itself is in `ui/`.
 *
 * @module
 */

import { START_OUTAGE_MS } from "../lib/backend/await_backend.ts";
import { formatDuration } from "../lib/duration.ts";
import {
  BackendRefusedError,
  ExitCode,
  oneLine,
  UpgradeRefusedError,
  UsageError,
} from "../lib/errors.ts";
import { variable } from "../lib/environment.ts";
import type { Credentials } from "./ui/auth.ts";
import { followChanges, Pulse } from "./ui/changes.ts";
import { newCsrfToken } from "./ui/csrf.ts";
import { JobTimings } from "./ui/job_timings.ts";
import { LockTimings } from "./ui/lock_timings.ts";
import { onlyOwnUser } from "./ui/local_peer.ts";
import { hostName } from "./ui/origin.ts";
import { consoleHandler, waitingHandler } from "./ui/server.ts";
import type { Command } from "./command.ts";
import {
  BACKEND_FLAGS,
  BACKEND_FLAGS_HELP,
  checkBackendFlags,
  parseFlags,
  usage,
} from "./flags.ts";
import { openServiceBackend } from "./open_waiting.ts";
import { withSignals } from "./signals.ts";

const USAGE =
  `Usage: coord ui [--listen HOST:PORT] [--read-only] [--base-path PATH] [--allow-host NAME]…

A live web console over every queue, schedule task, lock queue and barrier in the namespace,
with the CLI's actions (cancel, retry or run now a job; pause, resume, purge or remove a
queue; run now, pause, resume or remove a schedule task; reset a lock queue; abort a
barrier), under the CLI's rules. Pages update by themselves as things change, and an open
page follows the console again by itself after a restart (not another console found at its
address); no build step, nothing fetched from elsewhere. Runs until SIGINT, SIGTERM or SIGHUP
(then exits 0).
It listens first; a backend that cannot be reached at the start (containers started
together) is tried every second for up to ${
    formatDuration(START_OUTAGE_MS)
  } (then exit 69), as queue work does, every
page answering 503 with a banner meanwhile, and loading by itself once it serves.

Options:
  --listen HOST:PORT   where to serve (default 127.0.0.1:8080; PORT alone means 127.0.0.1;
                       port 0 picks a free one). It prints "coord ui: serving URL" on stderr
                       once the backend answers, and "coord ui: listening on URL" before,
                       while it waits for it
  --read-only          show everything, offer no action, refuse every POST with 403; opens
                       the backend as the status commands do: creates nothing (a store not
                       there yet shows empty until a restart), and on PostgreSQL a role
                       granted only USAGE and SELECT may serve it
  --base-path PATH     serve under PATH, e.g. /coord behind a reverse proxy (default /)
  --allow-host NAME    without credentials, answer requests for NAME too (repeatable): a
                       name you trust, e.g. a wall screen's, or a port forwarder's

Access: HTTP basic auth when COORD_UI_USER and COORD_UI_PASSWORD are set (both, in the
environment, never on the command line; the user without ":"); /health stays open for probes.
An address other than loopback is refused unless credentials are set or --read-only is given.
Without credentials it answers only requests for localhost, an IP address or an --allow-host
NAME (421 otherwise; not /health), so a web page cannot reach it by pointing its own name at
the console's address, and on loopback only the user who started it and root (403 for this
host's other users, on Linux); an action sent from another site's page (Sec-Fetch-Site, Origin)
gets 403.

Endpoints besides the pages:
  /metrics   Prometheus text: coord_queue_jobs{queue,state} (completed and failed as stored,
             so purge and retention lower them), coord_queue_oldest_pending_seconds,
             coord_queue_workers, coord_queue_unreadable_jobs{queue}, coord_lock_holders,
             coord_lock_waiters,
             coord_schedule_runs_total, coord_schedule_failures_total,
             coord_schedule_next_tick_seconds, coord_foreign_records{kind} (queues,
             locks, tasks holding data coord did not write, left out of the others and
             named in a # comment each), and histograms coord_lock_wait_seconds,
             coord_lock_held_seconds of the grants seen since the console started,
             coord_queue_job_duration_seconds,
             coord_queue_job_wait_seconds of the jobs finished while the console runs
  /health    200 while the backend answers, else 503 (while it is waited for at the start too)

Examples:
  coord ui --url redis://10.0.0.5:6379
  COORD_UI_USER=ops COORD_UI_PASSWORD=… coord ui --listen 0.0.0.0:8080 --base-path /coord

Exit codes: 0 stopped by a signal · 64 bad flags, credentials half set, a non-loopback
            address without credentials or --read-only, or an address that cannot be used
            65 a SQLite file holding another program's data · 69 backend unavailable at start
            (still after ${formatDuration(START_OUTAGE_MS)}, or a login refused)

${BACKEND_FLAGS_HELP}`;

async function run(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("ui", argv, {
    ...BACKEND_FLAGS,
    listen: { type: "string" },
    "read-only": { type: "boolean" },
    "base-path": { type: "string" },
    "allow-host": { type: "string", multiple: true },
  });
  if (positionals.length > 0) throw usage("ui", `unexpected argument "${positionals[0]}"`);
  // Before it listens: a slip in them is a usage error, said alone.
  checkBackendFlags("ui", values);
  const listen = parseListen(values.listen ?? "127.0.0.1:8080");
  const base = parseBasePath(values["base-path"] ?? "/");
  const readOnly = values["read-only"] ?? false;
  const allowedHosts = (values["allow-host"] ?? []).map(parseAllowHost);
  const credentials = credentialsFromEnv();
  if (!isLoopback(listen.hostname) && !credentials && !readOnly) {
    throw usage(
      "ui",
      `--listen ${listen.hostname} is reachable from other machines: set COORD_UI_USER and ` +
        "COORD_UI_PASSWORD, or give --read-only",
    );
  }
  const options = { listen, base, readOnly, credentials, allowedHosts };
  await withSignals((stop) => serveConsole(values, options, stop));
  return ExitCode.ok;
}

/** Where and how `coord ui` serves, from its flags and the environment. */
interface ConsoleOptions {
  listen: { hostname: string; port: number };
  base: string;
  readOnly: boolean;
  credentials: Credentials | undefined;
  /** `--allow-host` names, as compared. */
  allowedHosts: string[];
}

/** Why a console listening has no backend yet, while its first try at it is under way. */
const NOT_TRIED = "its first try has not answered yet";

/**
 * Listens first, so that a port taken is said at once and a probe or a browser is answered
 * (503) while the backend is waited for; then opens the backend (waited for as the services
 * beside it wait), follows its changes and serves the console until `stop` aborts.
 */
async function serveConsole(
  values: Parameters<typeof openServiceBackend>[1],
  options: ConsoleOptions,
  stop: AbortSignal,
): Promise<void> {
  const { base, readOnly, credentials, allowedHosts } = options;
  // The server and the console's followers and timers run until `signal` aborts, and any one
  // left running keeps the process alive: a refusal after the server started (the backend
  // refusing, or still away after a minute) must stop them too, or coord prints the error and
  // then runs on, serving nothing.
  const ended = new AbortController();
  const signal = AbortSignal.any([stop, ended.signal]);
  // Without credentials, a page on another site that rebinds its name to the console's
  // address could read and act, wherever it listens (a --read-only console on 0.0.0.0 is on
  // loopback too); with them, it would need the password too.
  const access = { credentials, allowedHosts: credentials ? undefined : allowedHosts };
  let outage = NOT_TRIED;
  let handler = waitingHandler({ base, readOnly, ...access, outage: () => outage });
  const answer = (request: Request) => handler(request);
  // Without credentials, on loopback, other users of this host are refused too. (A read-only
  // console listening beyond it serves whoever reaches it, as asked: this host's users too.)
  const own = !credentials && isLoopback(options.listen.hostname);
  const server = listenOn(
    options,
    signal,
    own ? onlyOwnUser(answer, base, () => server.addr) : answer,
  );
  // Where it answers while it waits, said once it waits: a backend that answers (or refuses)
  // at once leaves the lines as they were, `serving` (or the refusal) alone.
  const waiting = (e: Error) => {
    if (outage === NOT_TRIED) {
      console.error(`coord ui: listening on ${consoleUrl(server.addr, base)}`);
    }
    outage = oneLine(e);
  };
  try {
    // Read-only, it opens the backend as the status commands do: it creates nothing, and a
    // Postgres role granted only USAGE and SELECT (a dashboard's) may serve it. Started with
    // the services while their server is away (a compose file), it waits for it as they do,
    // and a stop meanwhile ends it as one while serving does.
    await using backend = await openServiceBackend("ui", values, stop, {
      ...(readOnly ? { create: false } : {}),
      onRetry: waiting,
    }).catch((e) => {
      // A role that may only read (a dashboard's) wants the console that only looks.
      if (readOnly || !(e instanceof BackendRefusedError)) throw e;
      // Tables a look cannot read either: only their owner's upgrade helps.
      if (e instanceof UpgradeRefusedError && !e.readable) throw e;
      throw new BackendRefusedError(`${e.message}; or only look: coord ui --read-only`, {
        cause: e,
      });
    });
    if (!backend) return;
    // The followers start first so that the "serving" line means every change from then on is
    // seen.
    const ctx = { backend, readOnly, csrfToken: newCsrfToken(), base };
    const pulse = new Pulse();
    await followChanges(backend, pulse, signal);
    const lockTimings = new LockTimings();
    await lockTimings.follow(backend, signal);
    const jobTimings = new JobTimings();
    await jobTimings.follow(backend, pulse, signal);
    handler = consoleHandler(ctx, {
      ...access,
      pulse,
      signal,
      histograms: [lockTimings, jobTimings],
    });
    console.error(
      `coord ui: serving ${consoleUrl(server.addr, base)}${readOnly ? " (read-only)" : ""}`,
    );
    await server.finished;
  } finally {
    ended.abort();
    await server.finished;
  }
}

/**
 * The server of the console at its `--listen` address, answering through `handler` until
 * `signal` aborts.
 *
 * @throws {UsageError} when the address cannot be listened on (taken, not this host's).
 */
function listenOn(
  { listen }: ConsoleOptions,
  signal: AbortSignal,
  handler: Deno.ServeHandler<Deno.NetAddr>,
): Deno.HttpServer<Deno.NetAddr> {
  try {
    return Deno.serve({
      ...listen,
      signal,
      // Said once it waits for its backend (serveConsole), else `serving` says where.
      onListen: () => {},
    }, handler);
  } catch (error) {
    throw new UsageError(
      `cannot listen on ${listen.hostname}:${listen.port}: ${
        error instanceof Error ? error.message : error
      } — choose another --listen`,
    );
  }
}

/** The console's root URL at the address it listens on. */
function consoleUrl({ hostname, port }: Deno.NetAddr, base: string): string {
  const host = hostname.includes(":") ? `[${hostname}]` : hostname;
  return `http://${host}:${port}${base}/`;
}

/** `HOST:PORT`, `[V6]:PORT` or `PORT`. */
function parseListen(text: string): { hostname: string; port: number } {
  const match = /^(?:(\[[^\]]+\]|[^:\s]+):)?(\d+)$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || !(port >= 0 && port < 65536)) {
    throw usage("ui", `--listen "${text}" is not an address — give HOST:PORT or PORT`);
  }
  return { hostname: match[1]?.replace(/^\[|\]$/g, "") ?? "127.0.0.1", port };
}

function parseBasePath(text: string): string {
  // A `.` or `..` segment a browser resolves away before it asks: nothing under it is reachable.
  if (
    !/^\/[A-Za-z0-9._~\-/]*$/.test(text) || text.includes("//") ||
    text.split("/").some((segment) => segment === "." || segment === "..")
  ) {
    throw usage("ui", `--base-path "${text}" is not a path — give e.g. /coord`);
  }
  return text.replace(/\/+$/, "");
}

/**
 * An `--allow-host` NAME: a host name without port (any port is answered), as a URL gives it —
 * `_` as in a Compose service's name; a name in another script in its punycode form.
 */
function parseAllowHost(text: string): string {
  let hostname = "";
  try {
    // No port, path or user: what is left is a host, which the URL normalises.
    if (!/[:/?#@\\[]/.test(text)) hostname = new URL(`http://${text}`).hostname;
  } catch {
    // reported below
  }
  if (!/^[a-z0-9_-]+(?:\.[a-z0-9_-]+)*\.?$/.test(hostname)) {
    throw usage("ui", `--allow-host "${text}" is not a host name — give e.g. wall.example.com`);
  }
  return hostName(hostname);
}

function isLoopback(hostname: string): boolean {
  return hostname === "localhost" || hostname === "::1" || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function credentialsFromEnv(): Credentials | undefined {
  const user = variable("COORD_UI_USER");
  const password = variable("COORD_UI_PASSWORD");
  if (!user && !password) return undefined;
  if (!user || !password) {
    throw usage("ui", "set both COORD_UI_USER and COORD_UI_PASSWORD, or neither");
  }
  // Basic auth sends "user:password": the first ":" ends the user, so nobody could log in.
  if (user.includes(":")) {
    throw usage(
      "ui",
      'COORD_UI_USER holds ":", which ends a basic-auth user name — choose another',
    );
  }
  return { user, password };
}

/** The `coord ui` command. */
export const uiCommand: Command = { usage: USAGE, run };
