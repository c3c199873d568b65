import { deepStrictEqual, strictEqual } from "node:assert/strict";
import { percentile, summarize, summarizeMs } from "./stats.ts";

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

Deno.test("summarizeMs() rounds to the microsecond and is null without samples", () => {
  deepStrictEqual(summarizeMs([2.00049, 1, 3.1234]), { n: 3, p50: 2, p99: 3.123, max: 3.123 });
  strictEqual(summarizeMs([]), null);
});
