import assert from "node:assert/strict";
import { ForeignDataError } from "../errors.ts";
import { REFUSALS_TOLD, refusedQueues } from "./refused_queues.ts";

/** Queue `name`'s refusal, as a step gives it. */
function refused(name: string): [string, ForeignDataError] {
  return [name, new ForeignDataError(`queue "${name}": holds junk — another program wrote there`)];
}

Deno.test("the refusal of one queue is that queue's own", () => {
  const [, refusal] = refused("a");
  assert.equal(refusedQueues([["a", refusal]]), refusal);
});

Deno.test("the refusal of several queues names each of them and tells each refusal", () => {
  const refusal = refusedQueues([refused("a"), refused("b")]);
  assert.ok(refusal instanceof ForeignDataError);
  assert.equal(
    refusal.message,
    `queues "a" and "b" hold another program's data: queue "a": holds junk — another program ` +
      `wrote there; queue "b": holds junk — another program wrote there`,
  );
});

Deno.test("the refusal of many queues names them all, tells the first refusals and counts the others", () => {
  const names = Array.from({ length: REFUSALS_TOLD + 2 }, (_, i) => `q${i}`);
  const { message } = refusedQueues(names.map(refused));
  assert.equal(message.split("\n").length, 1);
  assert.ok(message.startsWith(`queues "q0", "q1", "q2", "q3" and "q4" hold`), message);
  assert.equal(message.match(/another program wrote there/g)?.length, REFUSALS_TOLD);
  assert.ok(message.endsWith("; and 2 more"), message);
});
