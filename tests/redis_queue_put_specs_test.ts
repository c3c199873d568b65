/**
 * A bulk put on Redis (`putJobs`, `coord queue put --from`) sends each job's spec once, as an
 * argument of its own that the script stores as it comes: inside one JSON list of a batch's
 * puts it was escaped a second time, and decoded with the list, for nothing.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { getJob } from "../lib/queue/queue.ts";
import { putJobs } from "../lib/queue/bulk.ts";
import { freshNamespace, REDIS_BACKENDS } from "./support/backends.ts";
import { runCoord } from "./support/cli.ts";
import { redisServerAvailable, startStandalone } from "./support/redis_servers.ts";
import { infoField, redisCommand } from "./support/resp.ts";

/** Arguments whose JSON escapes characters, or is long. */
const ARGS: unknown[] = [
  'a "quoted" word',
  'C:\\path\\to\\ and \\" and \\\\',
  "héllo wörld — ✓ 日本語 🎉 \u2028\u2029",
  "tab\tnewline\ncontrol\u0001\u001f nul\u0000",
  { nested: ['"', "\\", "é"], n: 1.5 },
  'x\\"'.repeat(33_334), // 100 KB of backslashes and quotes
];

for (const backend of REDIS_BACKENDS) {
  Deno.test(`redis queue (${backend.label}): specs that need escaping round-trip exactly through putJobs and queue put --from`, async () => {
    await using target = await backend.use();
    const namespace = freshNamespace();
    await using opened = await connect({ url: target.url, namespace, env: {} });
    const refs = await putJobs(opened, "q", ARGS.map((args) => ({ handler: "h", args })));
    const dir = await Deno.makeTempDir();
    try {
      const file = `${dir}/jobs.jsonl`;
      await Deno.writeTextFile(
        file,
        ARGS.map((args) => JSON.stringify({ handler: "h", args })).join("\n") + "\n",
      );
      const put = await runCoord(
        ["queue", "put", "q", "--from", file, "--url", target.url, "--namespace", namespace],
      );
      assert.equal(put.code, 0, put.stderr);
      const all = [...refs.map((r) => r.ref), ...put.stdout.trim().split("\n")];
      assert.equal(all.length, 2 * ARGS.length, put.stdout);
      for (const [i, ref] of all.entries()) {
        const job = await getJob(opened, ref);
        assert.deepEqual(job.spec.args, ARGS[i % ARGS.length], ref);
      }
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test({
  name: "a bulk put sends a spec of quotes in as many bytes as its JSON, not twice as many",
  ignore: !redisServerAvailable(),
  async fn() {
    // A server of its own: INFO counts every client's bytes.
    await using server = await startStandalone();
    await using opened = await connect({ url: server.url, namespace: "bytes", env: {} });
    // The script loaded, and the queue's name indexed, before the count.
    await putJobs(opened, "q", [{ handler: "h" }]);
    const received = async () =>
      Number(infoField(await redisCommand(server.port, "INFO", "stats"), "total_net_input_bytes"));
    const args = '"'.repeat(400_000);
    const specBytes = JSON.stringify({ handler: "h", args }).length;
    const before = await received();
    await putJobs(opened, "q", [{ handler: "h", args }, { handler: "h", args }]);
    const sent = await received() - before;
    // Each spec's JSON, and the INFO command itself: escaped twice, 3.2 MB.
    assert.ok(sent < 2 * specBytes * 1.05, `${sent} bytes for 2 specs of ${specBytes}`);
  },
});
