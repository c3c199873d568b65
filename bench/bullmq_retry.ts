/**
 * BullMQ's side of the `queue` benchmark's `retry` part, a process of its own (started with
 * `--no-lock`, as `bullmq.ts` says) so that it is timed from spawn to exit as coord's CLI is:
 *
 * - `retry URL QUEUE`: `queue.retryJobs({ state: "failed" })` with BullMQ's default `count`
 *   (1,000 jobs a Redis step), timed around the call alone; prints `{"retry_s": s}` and exits.
 * - `counts URL QUEUE`: prints `{"counts": {…}}`, the queue's counts by state; a process of its
 *   own, so that reading them is not in the retry's spawn-to-exit time.
 *
 * @module
 */

import { loadBullMq, redisConnection } from "./bullmq.ts";

if (import.meta.main) {
  const [mode, url, name] = Deno.args;
  if ((mode !== "retry" && mode !== "counts") || !url || !name) {
    console.error(`bullmq_retry: usage: retry|counts URL QUEUE (got ${Deno.args})`);
    Deno.exit(64);
  }
  const peer = await loadBullMq();
  const connection = redisConnection(peer, url);
  const queue = new peer.Queue(name, { connection });
  if (mode === "retry") {
    // Connected first, so that the figure is the call's own, not the connection's.
    await queue.waitUntilReady();
    const started = performance.now();
    await queue.retryJobs({ state: "failed" });
    console.log(JSON.stringify({ retry_s: (performance.now() - started) / 1000 }));
  } else {
    const counts = await queue.getJobCounts("wait", "delayed", "active", "completed", "failed");
    console.log(JSON.stringify({ counts }));
  }
  await queue.close();
  await connection.quit();
}
