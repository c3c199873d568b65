/**
 * A running job's lease, kept by a worker cut off from the backend, on every backend: the job
 * is stopped while the backend still holds the lease, so another worker's attempt never runs
 * beside it (README, Leases).
 */

import { claimJob } from "../../lib/queue/claim_job.ts";
import assert from "node:assert/strict";
import type { Backend } from "../../lib/backend/types.ts";
import { BackendUnavailableError } from "../../lib/errors.ts";
import { putJob } from "../../lib/queue/queue.ts";
import type { JobSpec } from "../../lib/queue/steps.ts";
import { work } from "../../lib/queue/worker.ts";
import { abortion } from "../../lib/time.ts";
import { conformance } from "../support/backends.ts";
import { overriding } from "../support/overriding.ts";
import { guarded } from "../support/wait.ts";

/**
 * Long enough for a busy machine's late timers to fit in its last third (800 ms), short enough
 * that a fixed 1 s grace for a command ignoring SIGTERM would overrun it clearly.
 */
const LEASE_MS = 2_400;

/** How the cut-off worker's renewals end. */
type Renewals = "fail" | "go unanswered";

const CASES: [string, Pick<JobSpec, "handler" | "command">, Renewals][] = [
  ["a handler job", { handler: "hold" }, "fail"],
  ["a handler job", { handler: "hold" }, "go unanswered"],
  ["a command job", { command: ["sleep", "1000"] }, "fail"],
  // Stopped by SIGKILL after the grace the lease leaves, not after the fixed one.
  ["a command job ignoring SIGTERM", { command: ["sh", "-c", "trap '' TERM; sleep 1000"] }, "fail"],
];

for (const [what, job, renewals] of CASES) {
  conformance(
    `${what} whose renewals ${renewals} is stopped while the backend still holds its lease`,
    async (ctx) => {
      const backend = await ctx.open();
      await putJob(backend, "held", { id: "j", ...job });
      const lost = Promise.withResolvers<void>();
      const stop = new AbortController();
      const working = work(cutOffAfterOneClaim(await ctx.open(), renewals), ["held"], {
        handlers: { hold: (_, c) => abortion(c.signal) },
        allowCommands: true,
        leaseMs: LEASE_MS,
        signal: stop.signal,
        // After the run ended: a command's whole process group is gone by then.
        onEvent: (event) => event.type === "lost" && lost.resolve(),
      });
      try {
        await guarded(lost.promise, "run given up");
        const other = await claimJob(backend.queue, "held", { worker: "other", leaseMs: LEASE_MS });
        assert.equal(other.job, undefined, "another worker took the job over: the lease was out");
      } finally {
        stop.abort();
        await working;
      }
    },
  );
}

/**
 * The backend as a worker cut off from it sees it: every renewal fails as an outage or is never
 * answered, and after the first job no other one is handed out (the test's claim is the next).
 */
function cutOffAfterOneClaim(backend: Backend, renewals: Renewals): Backend {
  let claimed = false;
  const steps: Partial<Backend["queue"]> = {
    renew: () =>
      renewals === "fail"
        ? Promise.reject(new BackendUnavailableError("lost the backend: connection refused"))
        : new Promise(() => {}),
    // The worker's one way to take jobs (a single claim is the same step, asking for one).
    finishAndClaim: async (queue, request) => {
      const result = await backend.queue.finishAndClaim(
        queue,
        claimed ? { ...request, claims: 0 } : request,
      );
      if (result.jobs.length > 0) claimed = true;
      return result;
    },
  };
  return overriding(backend, { queue: overriding(backend.queue, steps) });
}
