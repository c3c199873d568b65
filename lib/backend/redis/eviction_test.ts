import assert from "node:assert/strict";
import { evictionOf } from "./eviction.ts";

const info = (max: string, policy: string, human = max) =>
  `# Memory\r\nmaxmemory:${max}\r\nmaxmemory_human:${human}\r\nmaxmemory_policy:${policy}\r\n`;

Deno.test("a server evicts only with a maxmemory and a policy other than noeviction", () => {
  assert.equal(evictionOf([info("0", "allkeys-lru")]), undefined);
  assert.equal(evictionOf([info("1048576", "noeviction", "1.00M")]), undefined);
  assert.equal(
    evictionOf([info("1048576", "volatile-ttl", "1.00M")]),
    "maxmemory 1.00M, maxmemory-policy volatile-ttl",
  );
});

Deno.test("a reply without the fields (INFO denied, another engine) tells nothing", () => {
  assert.equal(evictionOf([]), undefined);
  assert.equal(evictionOf(["# Memory\r\nused_memory:1000\r\n"]), undefined);
});

Deno.test("the masters of a Cluster are counted, each setting said once", () => {
  const lru = info("1048576", "allkeys-lru", "1.00M");
  assert.equal(
    evictionOf([lru, info("0", "allkeys-lru"), lru]),
    "maxmemory 1.00M, maxmemory-policy allkeys-lru on 2 of 3 masters",
  );
  assert.equal(
    evictionOf([lru, info("2097152", "allkeys-lfu", "2.00M")]),
    "maxmemory 1.00M, maxmemory-policy allkeys-lru; maxmemory 2.00M, maxmemory-policy allkeys-lfu " +
      "on 2 of 2 masters",
  );
});
