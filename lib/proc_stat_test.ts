import assert from "node:assert/strict";
import { parseProcStat } from "./proc_stat.ts";

/** A stat line as Linux writes it, with the fields coord does not read as zeros. */
const statLine = (name: string, state: string, threads: number) =>
  `7 (${name}) ${state} 1 5 4 0 -1 0 0 0 0 0 0 0 0 0 20 0 ${threads} 0 9`;

Deno.test("parseProcStat() reads a name that holds ') ', and the group and session after it", () => {
  assert.deepEqual(parseProcStat(statLine("odd) 1 2 3", "S", 1)), {
    name: "odd) 1 2 3",
    state: "S",
    group: 5,
    session: 4,
    runs: true,
  });
});

Deno.test("parseProcStat() tells a zombie, which runs nothing, from a process whose main thread alone ended", () => {
  assert.equal(parseProcStat(statLine("sh", "Z", 1)).runs, false);
  assert.equal(parseProcStat(statLine("sh", "X", 1)).runs, false);
  assert.equal(parseProcStat(statLine("deno", "Z", 4)).runs, true);
});
