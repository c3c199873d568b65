/**
 * Barrier steps on Redis: each one run of `barrier.lua`.
 *
 * @module
 */

import { ForeignDataError } from "../../errors.ts";
import {
  type Arrival,
  type ArriveRequest,
  type ArriveResult,
  type BarrierStatus,
  type BarrierSteps,
  ENDED_GENERATIONS_KEPT,
  type GenerationState,
  IDLE_EXPIRY_MS,
} from "../../barrier/steps.ts";
import type { RedisBackend } from "./backend.ts";
import { RedisSteps, sharedScript, type StepRunner } from "./script.ts";

/** The Redis type of each key a barrier keeps (checked by the script and by doctor). */
export const BARRIER_KEY_TYPES = {
  state: "hash",
  leases: "zset",
  arrivals: "hash",
  ended: "hash",
  members: "zset",
};

/** Barrier steps over one {@link RedisBackend}. */
export class RedisBarrierSteps extends RedisSteps implements BarrierSteps {
  constructor(backend: RedisBackend) {
    super(
      backend,
      "barrier",
      BARRIER_KEY_TYPES,
      sharedScript(new URL("./barrier.lua", import.meta.url), [
        ENDED_GENERATIONS_KEPT,
        IDLE_EXPIRY_MS,
      ]),
    );
  }
  /** Every barrier step replies with a list. */
  async #step(...args: Parameters<StepRunner>): Promise<unknown[]> {
    return await this.run(...args) as unknown[];
  }

  async arrive(name: string, r: ArriveRequest): Promise<ArriveResult> {
    const reply = await this.runCreating(
      name,
      "arrive",
      r.id,
      r.n,
      r.leaseMs,
      r.delayMs,
      r.info.host,
      r.info.pid,
    ) as unknown[];
    if (reply[0] === "mismatch") return { outcome: "mismatch", n: Number(reply[1]) };
    const [, generation, arrival, count, n, releaseAt] = reply.map(String);
    return {
      outcome: "joined",
      generation: Number(generation),
      arrival: Number(arrival),
      count: Number(count),
      n: Number(n),
      ...(releaseAt ? { releaseAt: Number(releaseAt) } : {}),
    };
  }

  async check(
    name: string,
    r: { id: string; generation: number; leaseMs: number; renew: boolean },
  ): Promise<GenerationState> {
    return parseState(
      await this.#step(name, "check", r.id, r.generation, r.leaseMs, r.renew ? 1 : 0),
    );
  }

  async withdraw(name: string, r: { id: string; generation: number }): Promise<GenerationState> {
    return parseState(await this.#step(name, "withdraw", r.id, r.generation));
  }

  async status(name: string): Promise<BarrierStatus> {
    const [generation, n, lastGeneration, lastReleaseAt, lastN, ...arrivals] =
      (await this.#step(name, "status")).map(String);
    return {
      generation: Number(generation),
      ...(n && arrivals.length > 0 ? { n: Number(n) } : {}),
      arrivals: arrivals.map((json) => parseArrival(name, json))
        .sort((a, b) => a.arrival - b.arrival),
      ...(lastGeneration
        ? {
          lastRelease: {
            generation: Number(lastGeneration),
            releaseAt: Number(lastReleaseAt),
            n: Number(lastN),
          },
        }
        : {}),
    };
  }

  async abort(name: string): Promise<{ generation: number; waiting: number }> {
    // Aborting a barrier nobody used yet writes its state too: index it like an arrival.
    const reply = await this.runCreating(name, "abort") as unknown[];
    const [generation, waiting] = reply.map(Number);
    return { generation, waiting };
  }

  list(): Promise<string[]> {
    return this.backend.indexedNames("barrier");
  }
}

function parseArrival(name: string, json: string): Arrival {
  try {
    const arrival = JSON.parse(json);
    if (typeof arrival?.arrival === "number") return arrival;
  } catch {
    // reported below
  }
  throw new ForeignDataError(
    `barrier "${name}": an arrival holds ${JSON.stringify(json)} — another program wrote there; ` +
      `remove the key or use another --namespace`,
  );
}

function parseState(reply: unknown[]): GenerationState {
  const [outcome, a, b] = reply.map(String);
  switch (outcome) {
    case "waiting":
      return { outcome, count: Number(a), n: Number(b) };
    case "released":
      return { outcome, releaseAt: Number(a), n: Number(b) };
    case "aborted":
    case "withdrawn":
    case "expired":
      return { outcome };
    default:
      throw new Error(`unexpected barrier reply ${JSON.stringify(reply)}`);
  }
}
