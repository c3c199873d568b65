import { deepStrictEqual, throws } from "node:assert/strict";
import { gapsOf } from "./lock_cli_handoff.ts";

Deno.test("gapsOf() measures from each end to the next start, in stamp order", () => {
  const log = [
    "gate",
    "start 12 2000000",
    "end 12 4000000",
    "end 11 1500000", // lines arrive out of order; the stamps decide
    "start 11 1000000",
    "start 13 5250000",
    "end 13 7000000",
  ].join("\n");
  deepStrictEqual(gapsOf(log), [0.5, 1.25]);
});

Deno.test("gapsOf() refuses a log where two commands overlapped", () => {
  const log = "start 1 1000000\nstart 2 2000000\nend 1 3000000\nend 2 4000000\n";
  throws(() => gapsOf(log), /overlapped: 1 and 2/);
});
