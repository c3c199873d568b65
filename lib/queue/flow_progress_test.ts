import assert from "node:assert/strict";
import {
  flowProgress,
  type FlowTally,
  flowTally,
  gatheredOversize,
  gatheredResults,
} from "./flow_progress.ts";

const group = (over: Partial<FlowTally> = {}): FlowTally => ({
  kind: "parallel",
  parts: 2,
  continueOnFailure: false,
  done: 0,
  ...over,
});
const ended = (id: string, state: "completed" | "failed", result: string | null = null) => ({
  id,
  state,
  error: state === "failed" ? "boom" : null,
  result,
});

Deno.test("flowProgress() starts a serial group's next part when one completes", () => {
  assert.deepEqual(flowProgress(group({ kind: "serial" }), ended("f.0", "completed", "1")), {
    kind: "counted",
    done: 1,
    release: 1,
  });
  assert.deepEqual(flowProgress(group(), ended("f.0", "completed")), { kind: "counted", done: 1 });
});

Deno.test("flowTally() keeps a group's record but for its list of parts, counted", () => {
  assert.deepEqual(
    flowTally({
      kind: "parallel",
      children: ["f.0", "f.1", "f.2"],
      continueOnFailure: true,
      done: 1,
    }),
    { kind: "parallel", continueOnFailure: true, done: 1, parts: 3 },
  );
});

Deno.test("flowProgress() fails the group on a failed part unless it goes on", () => {
  assert.deepEqual(flowProgress(group(), ended("f.1", "failed")), {
    kind: "end",
    state: "failed",
    error: "part f.1 failed: boom",
  });
  assert.deepEqual(
    flowProgress(group({ continueOnFailure: true, done: 1 }), ended("f.1", "failed")),
    { kind: "gathered", done: 2 },
  );
});

Deno.test("flowProgress() hands a finished group's results to its postprocess", () => {
  assert.deepEqual(
    flowProgress(group({ postprocess: "f.post", done: 1 }), ended("f.0", "completed")),
    { kind: "gathered", done: 2, postprocess: "f.post" },
  );
});

Deno.test("flowProgress() ends the group with its postprocess, result and all", () => {
  const g = group({ postprocess: "f.post", done: 2 });
  assert.deepEqual(flowProgress(g, ended("f.post", "completed", '"sum"')), {
    kind: "end",
    state: "completed",
    result: '"sum"',
  });
  assert.deepEqual(flowProgress(g, ended("f.post", "failed")), {
    kind: "end",
    state: "failed",
    error: "postprocess f.post failed: boom",
  });
});

Deno.test("gatheredResults() gives null for a part that did not complete", () => {
  assert.equal(
    gatheredResults([
      { state: "completed", result: '{"a":1}' },
      { state: "failed", result: null },
      { state: "completed", result: null },
    ]),
    '[{"a":1},null,null]',
  );
});

Deno.test("gatheredOversize() names the limit and the size of a list over 1 MiB, in bytes", () => {
  const part = { state: "completed" as const, result: JSON.stringify("é".repeat(300_000)) };
  assert.equal(gatheredOversize(gatheredResults([part])), undefined);
  assert.match(
    gatheredOversize(gatheredResults([part, part]))!,
    /^the list of its parts' results is 1200007 bytes as JSON, over the 1 MiB \(1048576 bytes\)/,
  );
});
