import assert from "node:assert/strict";
import { parseStat, readProcessTable } from "./process_table.ts";

Deno.test("parseStat() reads the fields after the last ')', whatever the command's name holds", () => {
  const fields = "S 7 40 30 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 900 0 0";
  assert.deepEqual(parseStat(`41 (a) (b c) ) ${fields}`), {
    pid: 41,
    parentId: 7,
    groupId: 40,
    sessionId: 30,
    startTicks: 900,
  });
});

Deno.test("parseStat() leaves out a zombie and what is no stat line", () => {
  assert.equal(
    parseStat("41 (sleep) Z 7 40 30 0 -1 0 0 0 0 0 0 0 0 0 20 0 1 0 900 0 0"),
    undefined,
  );
  assert.equal(parseStat("41 (sleep) S 7 40"), undefined);
  assert.equal(parseStat(""), undefined);
});

Deno.test({
  name: "readProcessTable() lists this process with its parent",
  ignore: Deno.build.os !== "linux",
  async fn() {
    const self = (await readProcessTable())?.find((entry) => entry.pid === Deno.pid);
    assert.ok(self);
    assert.equal(self.parentId, Deno.ppid);
  },
});
