import { claimJob } from "./claim_job.ts";
import assert from "node:assert/strict";
import { connect } from "../backend/connect.ts";
import type { Backend } from "../backend/types.ts";
import { BackendUnavailableError } from "../errors.ts";
import { progressLines, ProgressReporter } from "./progress.ts";
import { putJob } from "./queue.ts";

/**
 * A running job on a real backend, and a progress write to it that fails as an unreachable
 * backend does for the first `failures` calls (a restart under way), then goes through.
 */
async function runningJob(backend: Backend, failures: number) {
  await putJob(backend, "q", { id: "j", handler: "h" });
  const { job } = await claimJob(backend.queue, "q", { worker: "w", leaseMs: 60_000 });
  assert.ok(job);
  const calls: string[] = [];
  const write = (json: string) => {
    calls.push(json);
    if (calls.length <= failures) {
      return Promise.reject(new BackendUnavailableError("sqlite::memory:: restarting"));
    }
    return backend.queue.progress("q", { id: "j", worker: "w", attempt: 1, progress: json });
  };
  const stored = async () => (await backend.queue.get("q", "j"))?.progress;
  return { write, calls, stored };
}

Deno.test("close() writes the last value when its write failed while the backend was away", async () => {
  await using backend = await connect({ url: "sqlite::memory:", env: {} });
  const { write, stored } = await runningJob(backend, 1);
  const reporter = new ProgressReporter(write, 10_000);
  reporter.report({ done: 1250, of: 1500 });
  await reporter.close();
  assert.deepEqual(await stored(), { done: 1250, of: 1500 });
});

Deno.test("a value whose write failed is written again by the next write", async () => {
  await using backend = await connect({ url: "sqlite::memory:", env: {} });
  const { write, calls, stored } = await runningJob(backend, 1);
  const reporter = new ProgressReporter(write, 20);
  reporter.report({ done: 250 });
  // Within a few intervals, not at close: a job may run long after a backend's restart.
  for (let i = 0; i < 100 && calls.length < 2; i++) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  assert.equal(calls.length, 2, "written again before close");
  await reporter.close();
  assert.deepEqual(calls, ['{"done":250}', '{"done":250}']);
  assert.deepEqual(await stored(), { done: 250 });
});

Deno.test("a failed write is not written again after a newer value sent behind it", async () => {
  await using backend = await connect({ url: "sqlite::memory:", env: {} });
  const { write: store, stored } = await runningJob(backend, 0);
  const calls: string[] = [];
  const first = Promise.withResolvers<void>();
  const held = Promise.withResolvers<never>();
  const write = (json: string) => {
    calls.push(json);
    if (calls.length > 1) return store(json);
    first.resolve();
    return held.promise; // fails once the newer value is queued behind it
  };
  const reporter = new ProgressReporter(write, 10_000);
  reporter.report({ done: 1 });
  await first.promise;
  reporter.report({ done: 2 });
  const closing = reporter.close(); // sends 2, behind the write of 1
  held.reject(new BackendUnavailableError("sqlite::memory:: restarting"));
  await closing;
  assert.deepEqual(calls, ['{"done":1}', '{"done":2}']);
  assert.deepEqual(await stored(), { done: 2 });
});

Deno.test("close() keeps trying through an outage of up to retryForMs", async () => {
  await using backend = await connect({ url: "sqlite::memory:", env: {} });
  const { write, stored } = await runningJob(backend, 4);
  const reporter = new ProgressReporter(write, 10_000);
  reporter.report({ done: 1500, of: 1500 });
  await reporter.close({ retryForMs: 5_000 });
  assert.deepEqual(await stored(), { done: 1500, of: 1500 });
});

Deno.test("progressLines passes on a ::progress line that never ends, not holding it", async () => {
  const values: unknown[] = [];
  const big = `::progress ${"9".repeat(100_000)}`;
  const chunks = [big.slice(0, 70_000), big.slice(70_000), '\n::progress {"done":1}\n'];
  let sent = 0;
  const seen: string[] = [];
  const out = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (sent === chunks.length) return controller.close();
      controller.enqueue(new TextEncoder().encode(chunks[sent++]));
    },
  }).pipeThrough(progressLines((value) => values.push(value)));
  // Held until its end (in memory, and split again at every chunk), the first 70,000 come out
  // before the rest is read.
  for await (const chunk of out) seen.push(new TextDecoder().decode(chunk));
  assert.equal(seen[0].length, 70_000);
  assert.equal(seen.join(""), `${big}\n`);
  assert.deepEqual(values, [{ done: 1 }]);
});
