import assert from "node:assert/strict";
import { statementChunks, statementSizes } from "./statement_chunks.ts";

Deno.test("statementSizes() steps down by fifths to 1", () => {
  assert.deepEqual(statementSizes(500), [500, 100, 20, 4, 1]);
  assert.deepEqual(statementSizes(8), [8, 2, 1]);
  assert.deepEqual(statementSizes(1), [1]);
});

Deno.test("statementChunks() keeps every item in order, each chunk one of a few sizes", () => {
  for (const n of [0, 1, 7, 499, 500, 1_234]) {
    const items = Array.from({ length: n }, (_, i) => i);
    const chunks = statementChunks(items, statementSizes(500));
    assert.deepEqual(chunks.flat(), items);
    assert.ok(chunks.every((chunk) => statementSizes(500).includes(chunk.length)), `${n}`);
  }
  assert.equal(statementChunks(Array(499).fill(0), statementSizes(500)).length, 15);
});

Deno.test("statementChunks() refuses sizes that would leave rows out or never end", () => {
  for (const sizes of [[500, 100], [8, 0, 1], [2.5, 1], []]) {
    assert.throws(() => statementChunks([1, 2, 3], sizes), RangeError, `${sizes}`);
  }
});
