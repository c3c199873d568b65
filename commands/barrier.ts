/**
 * `coord barrier`: wait at a barrier, list barriers, show one's status, or abort it.
 *
 * @module
 */

import {
  abortBarrier,
  barrier,
  barrierReports,
  barrierStatus,
  DEFAULT_DELAY_MS,
  DEFAULT_LEASE_MS,
  DEFAULT_TOLERANCE_MS,
  MIN_LEASE_MS,
  scopedName,
} from "../lib/barrier/barrier.ts";
import type { BarrierStatus } from "../lib/barrier/steps.ts";
import { BarrierTimeoutError } from "../lib/errors.ts";
import type { Command } from "./command.ts";
import { notHadBecause, openBackendWaiting } from "./open_waiting.ts";
import {
  BACKEND_FLAGS,
  BACKEND_FLAGS_HELP,
  countArg,
  openBackend,
  OUTPUT_FLAGS,
  parseFlags,
  refuseVerbAfterOptions,
  secondsFlag,
  usage,
} from "./flags.ts";
import { Progress } from "./progress.ts";
import { reportError, reportForeign } from "./report.ts";
import { withSignals } from "./signals.ts";

const USAGE =
  `Usage: coord barrier [wait] NAME N [--timeout S] [--delay S] [--run-id ID] [--lease S]
                                  [--json] [-q|--quiet]
       coord barrier list [--json]
       coord barrier status NAME [--run-id ID] [--json]
       coord barrier abort NAME [--run-id ID]

Blocks until N participants have arrived at NAME, then every one of them exits 0 at the same
instant: the last arrival sets it to "now + --delay" in the backend's clock, and each
participant sleeps until it by its own clock, corrected by the measured offset.
A barrier is reusable: once it releases, the next arrival starts the next generation.

Options:
  --timeout S   give up after S seconds and withdraw the arrival (exit 75), in a backend
                outage too (soon after: see README); default: never. A backend
                unreachable at the start is tried every second within S (counted
                from the start: then exit 75) and --lease (then exit 69)
  --delay S     time from the last arrival to the release, for everyone to hear of it
                (default ${DEFAULT_DELAY_MS / 1000}; fractions allowed; 0: each continues as
                soon as it hears of the release, never exits 76)
  --run-id ID   scope the name to a run: the barrier is ID/NAME
  --lease S     a participant killed outright stops counting after S seconds
                (default ${DEFAULT_LEASE_MS / 1000}; renewed every S/3 while it waits)
  --json        print {name, generation, participants, arrival, release_at, continued_at,
                late_ms} on release (times: epoch ms; release_at in the backend's clock)
  -q, --quiet   no "waiting at NAME: 2/3 arrived" line on a terminal

list prints one line per barrier in the namespace: its name (RUN/NAME when run-scoped), the
open generation and arrived/N (--json: one status object a line; none: No barriers in
namespace "NS". on stderr, exit 0); a barrier holding foreign data is named on stderr
instead, the others listed, then exit 65; status shows the current generation, N, who has
arrived (host, pid, since) and the last release (a NAME nobody reached: No such barrier:
"NAME". on stderr, exit 0); abort makes every waiter of the current generation exit 75 and
clears it. (A barrier literally named "list", "status", "abort" or "wait" is reached with
"coord barrier wait status N".)

Examples:
  coord barrier tests-ready 3 --timeout 120        # in each of three CI jobs
  for i in 1 2 3; do ./step.sh $i && coord barrier step 3; done
  coord barrier status tests-ready --json
  coord barrier list

Exit codes: 0 released · 64 bad arguments, or N differs from the waiting participants'
            65 foreign data (in the barrier's keys, or the SQLite file) · 69 backend unavailable
            75 timed out or aborted · 76 heard of the release more than ${DEFAULT_TOLERANCE_MS} ms
            after its instant (raise --delay; never with --delay 0) · 129/130/143 stopped by
            SIGHUP/SIGINT/SIGTERM (the arrival is withdrawn)

${BACKEND_FLAGS_HELP}`;

const NAME_FLAGS = { ...BACKEND_FLAGS, "run-id": { type: "string" } } as const;

/**
 * The verbs, each with what it runs. They may go where a barrier's NAME goes: a barrier with one
 * of these names follows "wait".
 */
const VERBS: Record<string, (argv: string[]) => Promise<number>> = { list, status, abort, wait };

const WAIT_FLAGS = {
  ...NAME_FLAGS,
  ...OUTPUT_FLAGS,
  timeout: { type: "string" },
  delay: { type: "string" },
  lease: { type: "string" },
} as const;

async function run(argv: string[]): Promise<number> {
  const [first] = argv;
  if (first !== undefined && Object.hasOwn(VERBS, first)) return await VERBS[first](argv.slice(1));
  return await wait(argv, { verbless: true });
}

/** `verbless`: the NAME read may be a verb written after options (`coord barrier --json list`). */
async function wait(argv: string[], { verbless = false } = {}): Promise<number> {
  const { values, positionals } = parseFlags("barrier", argv, WAIT_FLAGS);
  if (verbless) {
    refuseVerbAfterOptions("barrier", argv, WAIT_FLAGS, Object.keys(VERBS), {
      what: "a barrier",
      verb: "wait",
    });
  }
  const [name, count, extra] = positionals;
  if (name === undefined) throw usage("barrier", "missing barrier NAME");
  if (extra !== undefined) throw usage("barrier", `unexpected argument "${extra}"`);
  const n = countArg("barrier", "N", count);
  const timeoutMs = secondsFlag("barrier", "timeout", values.timeout, Infinity);
  const delayMs = secondsFlag("barrier", "delay", values.delay, DEFAULT_DELAY_MS);
  const leaseMs = secondsFlag("barrier", "lease", values.lease, DEFAULT_LEASE_MS, {
    minMs: MIN_LEASE_MS,
  });
  // Checked before the backend is opened, which may create its file or schema.
  scopedName(name, values["run-id"]);
  // A participant started while its server restarts waits for it as it rides out an outage
  // later: within --lease, and within --timeout counted from here, as the wait at the barrier
  // then is, so --timeout S gives up at S whatever the backend does.
  const startedAt = performance.now();
  // Listening from the start: a signal while the server is waited for gives up as one at the
  // barrier does (130/143/129), not by its default action.
  return await withSignals(async (signal) => {
    await using backend = await openBackendWaiting("barrier", values, {
      signal,
      limitMs: leaseMs,
      deadline: {
        startedAt,
        timeoutMs,
        timedOut: (cause) =>
          new BarrierTimeoutError(
            `barrier "${name}": timed out after ${timeoutMs / 1000} s before it could arrive: ` +
              notHadBecause(cause),
          ),
      },
      quiet: values.quiet,
    });
    const progress = new Progress(values.quiet);
    try {
      const result = await barrier(backend, name, n, {
        timeoutMs,
        startedAt,
        delayMs,
        leaseMs,
        runId: values["run-id"],
        signal,
        onProgress: ({ count }) => progress.show(`waiting at ${name}: ${count}/${n} arrived`),
      });
      progress.clear();
      // Heard of in time, so it exits 0 as the others do; but it did not continue with them (a
      // busy host, a paused process woke it late), which its script should hear of.
      if (delayMs > 0 && result.lateMs > DEFAULT_TOLERANCE_MS) {
        console.error(
          `coord: warning: barrier ${name}: continued ${result.lateMs.toFixed(1)} ms after the ` +
            `release instant — it heard of the release in time, but this host woke it late`,
        );
      }
      if (values.json) {
        console.log(JSON.stringify({
          name: result.name,
          generation: result.generation,
          participants: result.participants,
          arrival: result.arrival,
          release_at: result.releaseAt,
          continued_at: result.continuedAt,
          late_ms: result.lateMs,
        }));
      }
      return 0;
    } catch (error) {
      // Said now, not once the backend is closed: a silent one takes a second to let go.
      if (!(error instanceof BarrierTimeoutError)) throw error;
      progress.clear();
      return reportError(error);
    } finally {
      progress.clear();
    }
  });
}

async function status(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("barrier", argv, {
    ...NAME_FLAGS,
    json: { type: "boolean" },
  });
  const name = singleName(positionals, "status");
  await using backend = await openBackend("barrier", values, { create: false });
  const state = await barrierStatus(backend, name, { runId: values["run-id"] });
  // Named as list names it: RUN/NAME when run-scoped.
  const shown = scopedName(name, values["run-id"]);
  // What a barrier nobody ever reached looks like; whether it is one, only the listing knows.
  const untouched = state.generation === 1 && state.arrivals.length === 0 && !state.lastRelease;
  if (untouched && !(await backend.barrier.list()).includes(shown)) {
    console.error(`No such barrier: ${JSON.stringify(shown)}.`);
    return 0;
  }
  console.log(values.json ? JSON.stringify(statusJson(shown, state)) : statusText(shown, state));
  return 0;
}

async function list(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("barrier", argv, {
    ...BACKEND_FLAGS,
    json: { type: "boolean" },
  });
  if (positionals.length > 0) {
    throw usage("barrier", `barrier list takes no NAME, got "${positionals[0]}"`);
  }
  await using backend = await openBackend("barrier", values, { create: false });
  const reports = await barrierReports(backend);
  // As turn status, queue status and schedule status say of theirs: a mistyped --namespace or
  // --url shows as such.
  if (reports.length === 0) {
    console.error(`No barriers in namespace ${JSON.stringify(backend.namespace)}.`);
  }
  for (const { name, status } of reports) {
    if (!status) continue;
    console.log(
      values.json
        ? JSON.stringify(statusJson(name, status))
        : `${name}  generation ${status.generation}  ${arrivedText(status)}`,
    );
  }
  // One barrier another program wrote into hides none of the others; it still exits 65.
  return reportForeign(reports);
}

async function abort(argv: string[]): Promise<number> {
  const { values, positionals } = parseFlags("barrier", argv, NAME_FLAGS);
  const name = singleName(positionals, "abort");
  await using backend = await openBackend("barrier", values);
  const { generation, waiting } = await abortBarrier(backend, name, { runId: values["run-id"] });
  const shown = scopedName(name, values["run-id"]);
  console.log(`barrier ${shown}: aborted generation ${generation} (${waiting} waiting)`);
  return 0;
}

function singleName(positionals: string[], verb: string): string {
  if (positionals.length !== 1) {
    throw usage("barrier", `barrier ${verb} takes one NAME, got ${positionals.length}`);
  }
  return positionals[0];
}

const iso = (epochMs: number) => new Date(epochMs).toISOString();

function statusJson(name: string, state: BarrierStatus) {
  return {
    name,
    generation: state.generation,
    participants: state.n ?? null,
    arrived: state.arrivals,
    last_release: state.lastRelease
      ? {
        generation: state.lastRelease.generation,
        release_at: state.lastRelease.releaseAt,
        participants: state.lastRelease.n,
      }
      : null,
  };
}

function arrivedText(state: BarrierStatus): string {
  return state.n === undefined ? "nobody waiting" : `${state.arrivals.length}/${state.n} arrived`;
}

const participants = (n: number) => n === 1 ? "1 participant" : `${n} participants`;

function statusText(name: string, state: BarrierStatus): string {
  const waiting = arrivedText(state);
  const last = state.lastRelease
    ? `last release: generation ${state.lastRelease.generation} at ${
      iso(state.lastRelease.releaseAt)
    } with ${participants(state.lastRelease.n)}`
    : "last release: none";
  return [
    `barrier ${name}: generation ${state.generation}, ${waiting}`,
    ...state.arrivals.map((a) =>
      `  ${String(a.arrival).padStart(3)}  ${a.host}  pid ${a.pid}  since ${iso(a.since)}`
    ),
    last,
  ].join("\n");
}

/** The `coord barrier` command. */
export const barrierCommand: Command = { usage: USAGE, run };
