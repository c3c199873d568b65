/**
 * A holder cut off from Redis by a partition (its connection silent, not closed) must stop its
 * command before the backend hands the lock to the next user: never two holders.
 */

import assert from "node:assert/strict";
import { partitionTest } from "./support/proxy.ts";
import { spawnCoord } from "./support/cli.ts";

partitionTest(
  "a partitioned holder stops its command before the next user starts, and exits 75",
  async ({ server, proxy, dir }) => {
    const stamp = (file: string) => `date +%s%N > ${dir}/${file}`;
    const holder = spawnCoord(
      [
        "lock",
        "split",
        "--expire",
        "1.5",
        "--",
        "sh",
        "-c",
        `trap '${stamp("stopped")}; kill $!; exit 0' TERM; echo ready >&2; sleep 30 & wait`,
      ],
      { env: { COORD_URL: `redis://127.0.0.1:${proxy.port}` } },
    );
    await holder.stderrLine(/^ready$/);
    const waiter = spawnCoord(["lock", "split", "--", "sh", "-c", stamp("started")], {
      env: { COORD_URL: server.url },
    });
    proxy.pause();
    const [held, waited] = await Promise.all([holder.result, waiter.result]);
    assert.equal(held.code, 75, held.stderr);
    assert.match(held.stderr, /lost the lease of ticket 1/);
    assert.equal(waited.code, 0, waited.stderr);
    const stopped = BigInt((await Deno.readTextFile(`${dir}/stopped`)).trim());
    const started = BigInt((await Deno.readTextFile(`${dir}/started`)).trim());
    assert.ok(stopped < started, "the holder's command stopped before the next one started");
  },
);
