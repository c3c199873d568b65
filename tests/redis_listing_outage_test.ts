/**
 * Listings read every master (SCAN and friends through `perMaster()` senders); a server gone
 * between connect and the listing is an outage (69), not an internal error (70), on one server
 * and on a cluster.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import type { RedisBackend } from "../lib/backend/redis/backend.ts";
import { BackendUnavailableError } from "../lib/errors.ts";
import { ticketLines } from "../lib/lock/console.ts";
import { scheduleStatus } from "../lib/schedule/status.ts";
import { freshNamespace } from "./support/backends.ts";
import { redisServerAvailable, startCluster, startStandalone } from "./support/redis_servers.ts";

const LISTINGS: Record<string, (backend: RedisBackend) => Promise<unknown>> = {
  "schedule status": (backend) => scheduleStatus(backend),
  "turn status": (backend) => ticketLines(backend),
  "a SCAN of every master": async (backend) => {
    for await (const _ of backend.scan(`${backend.namespace}:*`)) { /* drained */ }
  },
};

for (
  const [label, start] of [["redis", startStandalone], ["cluster", startCluster]] as const
) {
  Deno.test({
    name: `listings after the server stopped fail as unavailable (69) [${label}]`,
    ignore: !redisServerAvailable(),
    fn: async () => {
      const servers = await start();
      try {
        await using backend = await connect({
          url: servers.url,
          namespace: freshNamespace(),
          env: {},
        }) as RedisBackend;
        for (const list of Object.values(LISTINGS)) await list(backend);
        await servers.stop();
        for (const [what, list] of Object.entries(LISTINGS)) {
          await assert.rejects(list(backend), (e) => {
            assert.ok(e instanceof BackendUnavailableError, `${what}: ${e}`);
            assert.equal(e.exitCode, 69);
            return true;
          });
        }
      } finally {
        await servers.stop();
      }
    },
  });
}
