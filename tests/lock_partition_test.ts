/**
 * A holder cut off from Redis by a partition (its connection silent, not closed) must stop its
 * command before the backend hands the lock to the next user: never two holders.
 */

import assert from "node:assert/strict";
import { partitionTest } from "./support/proxy.ts";
import { spawnCoord } from "./support/cli.ts";
import { until } from "./support/wait.ts";
import { connect } from "../lib/backend/connect.ts";

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

partitionTest(
  "a partitioned holder whose command ignores SIGTERM has it killed before the next user starts",
  async ({ server, proxy, dir }) => {
    // The command stamps "alive" every few ms until SIGKILL ends it: its last stamp is its end.
    // (Appended: a truncating write cut short by the kill would leave no stamp.)
    const holder = spawnCoord(
      [
        "lock",
        "deaf",
        "--expire",
        "1.5",
        "--",
        "sh",
        "-c",
        `trap '' TERM; echo ready >&2; while :; do date +%s%N >> ${dir}/alive; sleep 0.005; done`,
      ],
      { env: { COORD_URL: `redis://127.0.0.1:${proxy.port}` } },
    );
    await holder.stderrLine(/^ready$/);
    const waiter = spawnCoord(["lock", "deaf", "--", "sh", "-c", `date +%s%N > ${dir}/started`], {
      env: { COORD_URL: server.url },
    });
    {
      await using backend = await connect({ url: server.url });
      await until(async () => ((await backend.lock.status("deaf"))?.tickets ?? 0) >= 2, {
        what: "the next user's ticket",
      });
    }
    proxy.pause();
    const [held, waited] = await Promise.all([holder.result, waiter.result]);
    assert.equal(held.code, 75, held.stderr);
    assert.equal(waited.code, 0, waited.stderr);
    const alive = BigInt((await Deno.readTextFile(`${dir}/alive`)).trim().split("\n").at(-1)!);
    const started = BigInt((await Deno.readTextFile(`${dir}/started`)).trim());
    assert.ok(
      alive < started,
      `the holder's command ran ${(alive - started) / 1_000_000n} ms beside the next one`,
    );
  },
);
