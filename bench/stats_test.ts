import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { percentile, summarize } from "./stats.ts";

Deno.test("percentile() returns an observed sample by nearest rank", () => {
  const sorted = Array.from({ length: 100 }, (_, i) => i + 1);
  strictEqual(percentile(sorted, 50), 50);
  strictEqual(percentile(sorted, 99), 99);
  strictEqual(percentile(sorted, 100), 100);
  strictEqual(percentile([7], 99), 7);
});

Deno.test("summarize() does not depend on the samples' order", () => {
  deepStrictEqual(summarize([3, 1, 2]), {
    n: 3,
    mean_us: 2,
    p50_us: 2,
    p99_us: 3,
    min_us: 1,
    max_us: 3,
  });
});
