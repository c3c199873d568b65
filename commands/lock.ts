/**
 * `coord lock run RES -- CMD…`: run a command while holding a fair lock.
 *
 * @module
 */

import {
  DEFAULT_EXPIRE_MS,
  DEFAULT_PATIENCE_MS,
  lock,
  type LockHandle,
  MAX_LABEL_LENGTH,
} from "../lib/lock/lock.ts";
import { MIN_LEASE_MS } from "../lib/lease.ts";
import {
  BackendUnavailableError,
  ExitCode,
  InterruptedError,
  LockTimeoutError,
  SIGNAL_NUMBERS,
} from "../lib/errors.ts";
import { checkName } from "../lib/backend/keys.ts";
import type { Command } from "./command.ts";
import { notHadBecause, openBackendWaiting } from "./open_waiting.ts";
import {
  BACKEND_FLAGS,
  BACKEND_FLAGS_HELP,
  countArg,
  OUTPUT_FLAGS,
  parseFlags,
  requireDashDash,
  secondsFlag,
  strayUrl,
  usage,
} from "./flags.ts";
import { shellWord } from "./output.ts";
import { Progress } from "./progress.ts";
import { errorLine, reportError } from "./report.ts";
import { FORWARDED_SIGNALS } from "./signals.ts";
import { PASS_ENV_FLAGS, passEnvFlag } from "./pass_env.ts";
import {
  KILL_WAIT_MS,
  leftRunningNotice,
  type ProcessGroup,
  spawnGroup,
  STOP_GRACE_MS,
  warmUpSpawning,
} from "../lib/subprocess.ts";

const USAGE = `Usage: coord lock run RES [options] -- CMD [ARG…]
       coord lock RES [options] -- CMD [ARG…]

Takes a ticket for RES, waits until it is this ticket's turn (strictly first come, first
served), then runs CMD (no shell: argv as given) in its own process group with COORD_LOCK=RES
and COORD_TOKEN=<token> in its environment (but not COORD_URL or COORD_PASSWORD): a fencing
token, strictly increasing per resource and never repeated, not even after the backend lost its
data (it is never below the backend's clock in µs: keep Redis servers' clocks in sync with
NTP). When CMD exits, whatever it left running in its group is stopped, the lock passes to
the next ticket at once, and coord exits with CMD's status. A RES that starts with "-" goes
between two --: coord lock run [options] -- -odd-name -- CMD [ARG…]

Options:
  --label TEXT              shown by coord turn status/follow, at most 200 characters
                            (default: user@host pid N; user: $USER, else $LOGNAME, else
                            the uid's name)
  --expire S                presence lease, renewed every S/3 (default ${DEFAULT_EXPIRE_MS / 1000},
                            at least ${MIN_LEASE_MS / 1000}); a coord killed outright leaves the
                            queue within S
  --patience S              a waiter re-checks the queue itself at least every S (more
                            than 0), whatever it hears meanwhile (default ${
  DEFAULT_PATIENCE_MS / 1000
})
  -w, --wait S              give up after S seconds waiting; 0 = try once (like flock -w);
                            a backend unreachable at the start is tried every second
                            within S (counted from the start: then exit 75) and --expire
                            (then exit 69)
  -n, --nonblock            try once: the same as --wait 0 (like flock -n)
  --limit N                 up to N holders at once, still in order (default 1); an N other
                            than that of the users of RES holding or waiting exits 64
  -E, --conflict-exit-code N
                            exit N (0..255) instead of 75 when the lock was not had in time,
                            seen held (a backend that did not answer then exits 69)
  --pass-env NAME[,NAME…]   give CMD COORD_URL, COORD_PASSWORD, PGPASSWORD and/or
                            COORD_UI_PASSWORD all the same (any other name exits 64)
  --json                    after CMD exits, one line on stderr:
                            {"resource","token","waited_ms","held_ms","exit_code"}
  -q, --quiet               no "waiting for RES: 2 ahead" line on a terminal

Signals: SIGINT, SIGTERM and SIGHUP are passed to CMD's process group while it runs (on
Linux off a terminal, to every group of its session; on a terminal CMD is the foreground
job: Ctrl-C and keyboard input reach it directly); while waiting they give the ticket back
and exit 130/143/129. If the lease is lost while CMD runs (no renewal answered for 2/3 of
--expire, or the queue no longer has its ticket: a reset, or the backend lost the lock's
state), CMD's whole process group (CMD and every process it started; on Linux off a
terminal, whichever group of its session it is in, but not one that left the session:
setsid, a daemon) gets SIGTERM, then SIGKILL --expire/6 later, at most ${STOP_GRACE_MS / 1000} s
(gone before the lock can pass on; on Linux off a terminal, what SIGKILL has not ended
${KILL_WAIT_MS / 1000} s later, a process in uninterruptible sleep, is named on stderr and left
running), and coord exits 75.

Examples:
  coord lock run deploy -- ./deploy.sh production
  coord lock db-migrations -n -- npm run migrate             # skip if someone else migrates
  coord lock nightly -w 10m -- sh -c 'make && make install'  # a pipeline: sh -c after --
  coord lock gpu --limit 2 -- python train.py                # two at a time

Exit codes: CMD's own status (128+N if it died of signal N) · 64 bad arguments or --limit
            mismatch · 65 foreign data · 69 backend unavailable · 75 not granted within
            --wait (or --conflict-exit-code), or the lease was lost · 126 CMD not executable
            · 127 CMD not found · 129/130/143 stopped by a signal while waiting

${BACKEND_FLAGS_HELP}`;

const FLAGS = {
  ...BACKEND_FLAGS,
  ...OUTPUT_FLAGS,
  label: { type: "string" },
  expire: { type: "string" },
  patience: { type: "string" },
  // flock's short forms, for hands that type them
  wait: { type: "string", short: "w" },
  nonblock: { type: "boolean", short: "n" },
  limit: { type: "string" },
  "conflict-exit-code": { type: "string", short: "E" },
  ...PASS_ENV_FLAGS,
} as const;

async function run(argv: string[]): Promise<number> {
  const args = argv[0] === "run" ? argv.slice(1) : argv;
  requireDashDash("lock", args, FLAGS, 1, "coord lock RES [options]");
  const parsed = parseFlags("lock", args, FLAGS, {
    takesCommand: true,
    nameAfterDashDash: (name) => `coord lock run [options] -- ${shellWord(name)} -- CMD`,
  });
  const { values, positionals } = parsed;
  // `lock run [options] -- -x -- CMD`: a RES starting with "-" goes after a first --, as with
  // flock and etcdctl lock. Unambiguous: without a RES before it, a first -- meant nothing.
  const resourceAfter = positionals.length === 0 && parsed.rest[1] === "--";
  const [resource, extra] = resourceAfter ? [parsed.rest[0]] : positionals;
  const rest = resourceAfter ? parsed.rest.slice(2) : parsed.rest;
  if (resource === undefined) {
    // `lock run -- -x CMD`, as flock takes it: which word is RES is what the second -- says.
    const dashed = parsed.rest[0]?.startsWith("-") ? parsed.rest[0] : undefined;
    throw usage(
      "lock",
      dashed === undefined
        ? "missing resource RES"
        : `missing resource RES (one starting with - goes between two --: coord lock run ` +
          `[options] -- ${shellWord(dashed)} -- CMD)`,
    );
  }
  if (extra !== undefined) {
    throw usage("lock", `unexpected argument "${extra}" — put the command after --`);
  }
  // An empty or blank program (`-- ""`, a variable unset, `-- " "`) is no command: said before
  // the lock is taken. Blank as a shell splits words: a file may be named U+00A0.
  if (rest.length === 0 || /^[ \t\n]*$/.test(rest[0])) {
    throw usage("lock", "missing the command: write -- CMD [ARG…]");
  }
  // Said before the lock is taken: on the default backend, it excludes none of the others.
  if (strayUrl(values, rest)) {
    console.error(
      `coord: --url after -- is the command's, not lock run's: the lock is taken on the ` +
        `default backend — give lock run's flags before --`,
    );
  }
  const conflictCode = values["conflict-exit-code"];
  if (conflictCode !== undefined && !(/^\d+$/.test(conflictCode) && Number(conflictCode) < 256)) {
    throw usage("lock", `--conflict-exit-code must be 0..255, got "${conflictCode}"`);
  }
  if (values.nonblock && values.wait !== undefined) {
    throw usage("lock", "give either --wait S or -n (--nonblock, the same as --wait 0)");
  }
  if (values.label !== undefined && [...values.label].length > MAX_LABEL_LENGTH) {
    throw usage("lock", `--label must be at most ${MAX_LABEL_LENGTH} characters`);
  }
  const options = {
    label: values.label,
    expireMs: secondsFlag("lock", "expire", values.expire, DEFAULT_EXPIRE_MS, {
      minMs: MIN_LEASE_MS,
    }),
    patienceMs: secondsFlag("lock", "patience", values.patience, DEFAULT_PATIENCE_MS, {
      positive: true,
    }),
    waitMs: values.nonblock ? 0 : secondsFlag("lock", "wait", values.wait, Infinity),
    limit: values.limit === undefined ? 1 : countArg("lock", "--limit", values.limit),
  };
  const passEnv = passEnvFlag("lock", values);
  // Checked before the backend is opened, which may create its file or schema.
  checkName("resource name", resource);
  // A waiter started while its server restarts waits for it as it rides out an outage later:
  // within --expire, and within --wait counted from here, as the wait for the lock then is, so
  // --wait S gives up at S whatever the backend does (--wait 0 tries once).
  const startedAt = performance.now();
  const progress = new Progress(values.quiet);
  /**
   * The lock not had in time: 75, or the --conflict-exit-code asked for when it was seen held.
   * A backend that did not answer as --wait ran out (at the start or later) exits 69 with -E:
   * `-E 0`, "skip if another holds it", must not take a backend that is down for a lock held.
   */
  const notGranted = (error: LockTimeoutError) => {
    // Said now, not once the backend is closed: a silent one takes a second to let go; on its
    // own line, not after the progress line.
    progress.clear();
    if (conflictCode === undefined) return reportError(error);
    if (error.cause instanceof BackendUnavailableError) {
      console.error(errorLine(error.message));
      return ExitCode.unavailable;
    }
    if (!values.quiet) console.error(errorLine(error.message));
    return Number(conflictCode);
  };
  // Listening from the start: a signal while the server is waited for gives up as one while the
  // lock is (130/143/129), not by its default action.
  const signals = new LockSignals();
  let opened;
  try {
    opened = await openBackendWaiting("lock", values, {
      signal: signals.waiting,
      limitMs: options.expireMs,
      deadline: {
        startedAt,
        timeoutMs: options.waitMs,
        timedOut: (cause) =>
          new LockTimeoutError(
            `lock "${resource}": not granted within ${options.waitMs / 1000} s: ` +
              `${notHadBecause(cause)} — it took no ticket`,
            { cause },
          ),
      },
      quiet: values.quiet,
    });
  } catch (error) {
    signals.close();
    if (error instanceof LockTimeoutError) return notGranted(error);
    throw error;
  }
  await using backend = opened;
  // Before waiting, so the grant is not followed by the first spawn's one-time set-up.
  warmUpSpawning();
  try {
    let held;
    try {
      held = await lock(backend, resource, {
        ...options,
        startedAt,
        signal: signals.waiting,
        onProgress: ({ ahead }) => progress.show(`waiting for ${resource}: ${ahead} ahead`),
      });
    } catch (error) {
      if (error instanceof LockTimeoutError) return notGranted(error);
      throw error;
    } finally {
      progress.clear();
    }
    const outcome = await runHolding(held, rest, signals, {
      passEnv,
      leaseMs: options.expireMs,
    });
    if (values.json) {
      console.error(JSON.stringify({
        resource,
        token: held.token,
        waited_ms: Math.round(held.waitedMs * 1000) / 1000,
        held_ms: Math.round(outcome.heldMs * 1000) / 1000,
        exit_code: outcome.code,
      }));
    }
    return outcome.code;
  } finally {
    signals.close();
  }
}

/**
 * Runs CMD while `held` is held, and gives the lock back when it ends. Resolves to the exit
 * code coord should end with: CMD's, 126/127 when it could not start, 75 when the lease was
 * lost (CMD's whole process group is then stopped: SIGTERM, SIGKILL after the grace).
 */
async function runHolding(
  held: LockHandle,
  [program, ...args]: string[],
  signals: LockSignals,
  { passEnv, leaseMs }: { passEnv: string[]; leaseMs: number },
): Promise<{ code: number; heldMs: number }> {
  const heldFrom = performance.now();
  let group: ProcessGroup;
  try {
    group = await spawnGroup(program, {
      args,
      env: { COORD_LOCK: held.resource, COORD_TOKEN: String(held.token) },
      passEnv,
      leaseMs,
      stdin: "inherit",
      stdout: "inherit",
      stderr: "inherit",
      terminal: true,
    });
  } catch (error) {
    await held.release();
    if (error instanceof Deno.errors.NotFound) {
      console.error(`coord: command not found: ${program} — the lock was passed on`);
      return { code: 127, heldMs: 0 };
    }
    if (error instanceof Deno.errors.PermissionDenied) {
      console.error(`coord: cannot run ${program}: permission denied — the lock was passed on`);
      return { code: 126, heldMs: 0 };
    }
    throw error;
  }
  signals.running(group);
  const announceLoss = () => {
    const reason = (held.signal.reason as Error).message;
    console.error(errorLine(`${reason}; sent SIGTERM to ${program} and all it started`));
  };
  held.signal.addEventListener("abort", announceLoss, { once: true });
  // Also when the lease was lost while CMD was being started.
  if (held.signal.aborted) announceLoss();
  // Stopped when the lease is lost; what CMD left running (`sleep 1000 &`, a daemon in its
  // group) must not go on beside the next holder: the group is gone before the lock passes on.
  const { status, leftRunning } = await group.finish(held.signal);
  signals.finishing();
  if (leftRunning.length > 0) {
    console.error(errorLine(`lock "${held.resource}": ${leftRunningNotice(leftRunning, program)}`));
  }
  held.signal.removeEventListener("abort", announceLoss);
  const heldMs = performance.now() - heldFrom;
  const leaseLost = held.signal.aborted;
  await held.release();
  return { code: leaseLost ? 75 : status.code, heldMs };
}

/**
 * What SIGINT, SIGTERM and SIGHUP do during `coord lock run`, phase by phase, so no signal
 * finds coord without a handler (which would kill it and strand its ticket):
 * while waiting they give the ticket back (a second one exits at once); while CMD runs they
 * are passed to its whole process group, off a terminal on Linux to its whole session (a
 * Ctrl-C on a terminal reaches CMD directly: it is the terminal's foreground job); once CMD has
 * ended they are ignored while the lock is given back.
 */
class LockSignals {
  readonly #controller = new AbortController();
  readonly #remove: (() => void)[];
  #group: ProcessGroup | undefined;
  #finishing = false;

  constructor() {
    this.#remove = FORWARDED_SIGNALS.map((name) => {
      const listener = () => {
        if (this.#finishing) return;
        if (this.#group) {
          void this.#group.signal(name);
          return;
        }
        if (this.#controller.signal.aborted) Deno.exit(128 + SIGNAL_NUMBERS[name]);
        this.#controller.abort(new InterruptedError(name));
      };
      Deno.addSignalListener(name, listener);
      return () => Deno.removeSignalListener(name, listener);
    });
  }

  /** Aborts at the first signal while waiting. */
  get waiting(): AbortSignal {
    return this.#controller.signal;
  }

  /** From now on signals go to `group`, also one that came while it was being started. */
  running(group: ProcessGroup): void {
    this.#group = group;
    const early = this.#controller.signal.reason;
    if (early instanceof InterruptedError) void group.signal(early.signal);
  }

  finishing(): void {
    this.#finishing = true;
  }

  close(): void {
    this.#remove.forEach((remove) => remove());
  }
}

/** The `coord lock` command. */
export const lockCommand: Command = { usage: USAGE, run };
