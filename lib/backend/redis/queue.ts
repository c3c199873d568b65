/**
 * Queue steps on Redis: each one run of `queue.lua`.
 *
 * @module
 */

import type {
  Attempt,
  ClaimResult,
  Finish,
  FlowNode,
  JobRecord,
  JobSpec,
  QueueCounts,
  QueueSteps,
} from "../../queue/steps.ts";
import { MAX_STALLS } from "../../queue/steps.ts";
import type { RedisBackend } from "./backend.ts";
import { RedisSteps } from "./script.ts";
import { foreignJob, jobRecord } from "../../queue/record.ts";
import { ForeignDataError } from "../../errors.ts";

/** The Redis type of each key a queue keeps (checked by the script and by doctor). */
export const QUEUE_KEY_TYPES = {
  jobs: "hash",
  specs: "hash",
  results: "hash",
  pending: "zset",
  active: "zset",
  totals: "hash",
  workers: "zset",
  counter: "string",
  inputs: "hash",
};

/** Queue steps over one {@link RedisBackend}. */
export class RedisQueueSteps extends RedisSteps implements QueueSteps {
  constructor(backend: RedisBackend) {
    super(backend, new URL("./queue.lua", import.meta.url), "queue", QUEUE_KEY_TYPES);
  }

  async put(
    queue: string,
    r: { id?: string; spec: JobSpec; delayMs: number; at?: number; beginByMs?: number },
  ): Promise<{ job: JobRecord; created: boolean }> {
    const [created, state, spec] = (await this.runCreating(
      queue,
      "put",
      r.id ?? "",
      JSON.stringify(r.spec),
      r.at === undefined ? `+${Math.round(r.delayMs)}` : Math.round(r.at),
      r.beginByMs === undefined ? "" : Math.round(r.beginByMs),
    )) as [number, string, string];
    return { job: jobRecord(queue, state, spec), created: Number(created) === 1 };
  }

  async putFlow(queue: string, nodes: FlowNode[]): Promise<boolean> {
    // Specs travel as strings inside the list: the script stores them without decoding.
    const list = nodes.map(({ spec, ...node }) => ({
      ...node,
      ...(spec !== undefined && { spec: JSON.stringify(spec) }),
    }));
    return Number(await this.runCreating(queue, "putflow", JSON.stringify(list))) === 1;
  }

  async claim(queue: string, r: { worker: string; leaseMs: number }): Promise<ClaimResult> {
    const [kind, state, spec, inputs, id] = (await this.run(
      queue,
      "claim",
      r.worker,
      r.leaseMs,
      MAX_STALLS,
    )) as string[];
    if (kind === "undecodable") {
      return { undecodable: { id: state, reason: foreignJob(queue, spec) } };
    }
    if (kind === "job") {
      try {
        return { job: jobRecord(queue, state, spec, undefined, inputs || undefined) };
      } catch (e) {
        if (!(e instanceof ForeignDataError)) throw e;
        return { undecodable: { id, reason: e.message } };
      }
    }
    return state === "" ? {} : { nextReadyAt: Number(state) };
  }

  async failUndecodable(queue: string, r: { id: string; error: string }): Promise<void> {
    await this.run(queue, "fail_undecodable", r.id, r.error);
  }

  async renew(queue: string, r: Attempt & { leaseMs: number }): Promise<boolean> {
    return Number(await this.run(queue, "renew", r.id, r.worker, r.attempt, r.leaseMs)) === 1;
  }

  async finish(queue: string, r: Attempt & Finish): Promise<boolean> {
    const payload = r.outcome === "completed"
      ? JSON.stringify(r.result ?? null)
      : r.outcome === "release"
      ? ""
      : r.error;
    const delayMs = r.outcome === "retry" ? Math.round(r.delayMs) : 0;
    return Number(
      await this.run(queue, "finish", r.id, r.worker, r.attempt, r.outcome, payload, delayMs),
    ) === 1;
  }

  async cancel(
    queue: string,
    id: string,
  ): Promise<{ job: JobRecord; cancelled: boolean } | undefined> {
    const [state, spec, cancelled] = (await this.run(queue, "cancel", id)) as string[];
    if (state === undefined) return undefined;
    return { job: jobRecord(queue, state, spec), cancelled: Number(cancelled) === 1 };
  }

  async get(queue: string, id: string): Promise<JobRecord | undefined> {
    const [state, spec, result, inputs] = (await this.run(queue, "get", id)) as string[];
    return state === undefined
      ? undefined
      : jobRecord(queue, state, spec, result || undefined, inputs || undefined);
  }

  async counts(queue: string): Promise<QueueCounts> {
    const [ready, scheduled, active, oldest, workers, ...totals] =
      ((await this.run(queue, "counts")) as unknown[]).map(String);
    const total = (state: string) => {
      const i = totals.indexOf(state);
      return i % 2 === 0 ? Number(totals[i + 1]) : 0;
    };
    const names = JSON.parse(workers);
    return {
      queue,
      waiting: total("waiting"),
      pending: Number(ready),
      scheduled: Number(scheduled),
      active: Number(active),
      completed: total("completed"),
      failed: total("failed"),
      cancelled: total("cancelled"),
      ...(oldest !== "" && { oldestPendingAt: Number(oldest) }),
      workers: Array.isArray(names) ? names : [],
    };
  }

  async announce(queue: string, r: { worker: string; ttlMs: number }): Promise<void> {
    await this.run(queue, "announce", r.worker, r.ttlMs);
  }

  list(): Promise<string[]> {
    return this.backend.indexedNames("queue");
  }
}
