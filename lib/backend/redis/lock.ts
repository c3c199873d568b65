/**
 * Lock steps on Redis: each one run of `lock.lua`.
 *
 * @module
 */

import type {
  EnqueueRequest,
  EnqueueResult,
  LockSteps,
  ResetResult,
  TicketLine,
  TicketState,
} from "../../lock/steps.ts";
import { settledLine, type StoredTicket } from "../../lock/settled.ts";
import type { RedisBackend } from "./backend.ts";
import { RedisSteps, sharedScript } from "./script.ts";

/** The Redis type of each key a lock keeps (checked by the script and by doctor). */
export const LOCK_KEY_TYPES = {
  state: "hash",
  queue: "zset",
  presence: "zset",
  users: "hash",
  holders: "hash",
  tickets: "string",
  tokens: "string",
  requests: "hash",
};

/** A boolean as the script's argument. */
function flag(b = false): number {
  return b ? 1 : 0;
}

/** Lock steps over one {@link RedisBackend}. */
export class RedisLockSteps extends RedisSteps implements LockSteps {
  constructor(backend: RedisBackend) {
    super(backend, "lock", LOCK_KEY_TYPES, sharedScript(new URL("./lock.lua", import.meta.url)));
  }

  async enqueue(resource: string, r: EnqueueRequest): Promise<EnqueueResult> {
    const reply = (await this.runCreating(
      resource,
      "enqueue",
      r.label,
      r.limit,
      r.expireMs,
      r.request,
    )) as unknown[];
    if (reply[0] === "mismatch") return { outcome: "mismatch", limit: Number(reply[1]) };
    const [ticket, token, ...standing] = reply;
    return {
      outcome: "queued",
      ticket: Number(ticket),
      token: Number(token),
      ...parseStanding(standing),
    };
  }

  async check(
    resource: string,
    r: { ticket: number; token?: number; expireMs: number; renew: boolean; starting: boolean },
  ): Promise<TicketState> {
    return parseStanding(
      (await this.run(
        resource,
        "check",
        r.ticket,
        r.expireMs,
        flag(r.renew),
        flag(r.starting),
        r.token === undefined ? "" : String(r.token),
      )) as unknown[],
    );
  }

  async release(
    resource: string,
    r: { ticket: number; token?: number; unlessGranted: boolean; starting?: boolean },
  ): Promise<"released" | "granted" | "gone"> {
    const reply = await this.run(
      resource,
      "release",
      r.ticket,
      flag(r.unlessGranted),
      flag(r.starting),
      r.token === undefined ? "" : String(r.token),
    );
    return String(reply) as "released" | "granted" | "gone";
  }

  async status(resource: string): Promise<TicketLine | undefined> {
    const reply = ((await this.run(resource, "status")) as unknown[]).map(String);
    if (reply.length === 0) return undefined;
    const [tickets, indicator, limit, now, ...rows] = reply;
    const users: StoredTicket[] = [];
    // Each ticket's user as the script read it, which refused what coord does not write.
    for (let i = 0; i < rows.length; i += 5) {
      const [ticket, label, since, granted, expiresAt] = rows.slice(i, i + 5);
      users.push({
        ticket: Number(ticket),
        label,
        since: Number(since),
        ...(granted ? { grantedAt: parseFloat(granted) } : {}),
        expiresAt: Number(expiresAt),
      });
    }
    return settledLine({
      tickets: Number(tickets),
      indicator: Number(indicator),
      limit: Number(limit),
      users,
    }, Number(now));
  }

  list(): Promise<string[]> {
    return this.backend.indexedNames("lock");
  }

  async reset(
    resource: string,
    r: { force: boolean; expectTickets?: number },
  ): Promise<ResetResult> {
    const [outcome, users] = (await this.run(
      resource,
      "reset",
      r.force ? 1 : 0,
      r.expectTickets ?? "",
    )) as [string, number?];
    return outcome === "in-use"
      ? { outcome, users: Number(users) }
      : { outcome: outcome as "removed" | "missing" | "activity" };
  }
}

function parseStanding(reply: unknown[]): TicketState {
  const [state, ahead, nextExpiryInMs, first] = reply.map(String);
  switch (state) {
    case "granted":
    case "gone":
      return { state };
    case "waiting":
      return {
        state,
        ahead: Number(ahead),
        nextExpiryInMs: Number(nextExpiryInMs),
        first: Number(first),
      };
    default:
      throw new Error(`unexpected lock reply ${JSON.stringify(reply)}`);
  }
}
