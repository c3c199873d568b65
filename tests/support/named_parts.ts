/**
 * A flow group whose parts are not named `ID.0`, `ID.1`, … (a library user's own ids): stored
 * with its list of parts on every backend, where the numbered groups coord puts are counted.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Backend } from "../../lib/backend/types.ts";
import { waitForJob } from "../../lib/queue/queue.ts";
import { work } from "../../lib/queue/worker.ts";
import { HANG_GUARD_MS } from "./wait.ts";

/**
 * Puts serial group `s` of `queue` with parts named `children` through the backend's step, lets
 * `stored` look at what the backend stored, then runs it and checks its parts ran in the list's
 * order and gave the group their results.
 *
 * @example
 * ```ts ignore
 * await runNamedSerial(db, "n", ["c", "a", "b"]);
 * ```
 */
export async function runNamedSerial(
  db: Backend,
  queue: string,
  children: string[],
  stored?: () => Promise<void>,
): Promise<void> {
  const spec = { handler: "h", retries: 0, backoffMs: 0 };
  assert.equal(
    await db.queue.putFlow(queue, [
      { id: "s", group: { kind: "serial", children, continueOnFailure: false }, released: false },
      ...children.map((id, i) => ({
        id,
        parent: "s",
        spec: { ...spec, args: id },
        released: i === 0,
      })),
    ]),
    true,
  );
  await stored?.();
  await drainFlow(db, queue, `${queue}/s`, { ran: children, result: children });
}

/**
 * Runs `queue`'s jobs (handler `h` returns its arguments) until none is left, and checks they
 * ran with `ran` in that order and that flow `ref` completed with `result` (and `done` parts
 * counted, if given).
 *
 * @example
 * ```ts ignore
 * await drainFlow(db, "s", "s/g", { ran: [1, 2], result: [0, 1, 2], done: 3 });
 * ```
 */
export async function drainFlow(
  db: Backend,
  queue: string,
  ref: string,
  expected: { ran: unknown[]; result: unknown[]; done?: number },
): Promise<void> {
  const ran: unknown[] = [];
  await work(db, [queue], { handlers: { h: (args) => (ran.push(args), args) }, drain: true });
  assert.deepEqual(ran, expected.ran, "the parts, in order");
  const done = await waitForJob(db, ref, { timeoutMs: HANG_GUARD_MS });
  assert.deepEqual([done.state, done.result], ["completed", expected.result]);
  if (expected.done !== undefined) assert.equal(done.group?.done, expected.done);
}
