/**
 * A Redis barrier whose participants another program wrote (a lease that never ends, a lease
 * without its arrival record or with one that is not JSON, an arrival without a lease): every
 * step refuses it, exit 65, one line, and leaves every key as it was. Counted by its leases
 * alone, one real participant released a barrier of 2.
 */

import { freshNamespace, REDIS_BACKENDS } from "./support/backends.ts";
import { assertPlantRefused } from "./support/redis_plant.ts";

const ARRIVAL = '{"host":"h","arrival":1,"pid":1,"since":1}';

const PLANTS: { what: string; commands: string[][] }[] = [
  {
    what: "a lease that never ends",
    commands: [["ZADD", "leases", "1e300", "id1"], ["HSET", "arrivals", "id1", ARRIVAL]],
  },
  {
    what: "an arrival record that is not JSON",
    commands: [["ZADD", "leases", "9e12", "id1"], ["HSET", "arrivals", "id1", "garbage"]],
  },
  { what: "a lease without its arrival", commands: [["ZADD", "leases", "9e12", "id1"]] },
  { what: "an arrival without its lease", commands: [["HSET", "arrivals", "id1", ARRIVAL]] },
];

const PARTS = ["state", "leases", "arrivals", "ended", "members"];

for (const backend of REDIS_BACKENDS) {
  for (const p of PLANTS) {
    Deno.test(`redis barrier (${backend.label}): ${p.what} is refused, 65, and left as it is`, async () => {
      await using target = await backend.use();
      const flags = ["--url", target.url, "--namespace", freshNamespace()];
      await assertPlantRefused({
        url: target.url,
        namespace: flags[3],
        instance: ["barrier", "bf"],
        parts: PARTS,
        plant: [["HSET", "state", "generation", "1", "n", "2", "next_arrival", "1"], ...p.commands],
        refusing: [
          ["barrier", "bf", "2", "--timeout", "1", ...flags],
          ["barrier", "status", "bf", ...flags],
        ],
      });
    });
  }
}
