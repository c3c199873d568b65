/**
 * graphile-worker, the Postgres peer of the `queue` benchmark: the benchmark's putter and
 * worker for it (see `queue_worker.ts`), on the same Postgres as coord's postgres column.
 * Jobs are added with `WorkerUtils.addJob` (a batch: that many at once, as coord's putter does)
 * and run by `run()` with the benchmark's concurrency; it wakes on LISTEN/NOTIFY, as coord does.
 *
 * graphile-worker comes through one dynamic import of a `data:` module, so neither
 * `deno check bench/` nor a run records it in the project's `deno.lock`; processes that load it
 * are started with `--no-lock`.
 *
 * @module
 */

import type { Kind } from "./queue_worker.ts";

/** The peer's package, as the benchmark's JSON names it. */
export const GRAPHILE_PACKAGE = "npm:graphile-worker@0.16";

/** The job's task name. */
const TASK = "echo";

interface GraphileJob {
  id: string | number;
}

interface WorkerUtils {
  migrate(): Promise<void>;
  addJob(task: string, payload: unknown): Promise<GraphileJob>;
  withPgClient<T>(
    fn: (client: { query(sql: string): Promise<{ rows: Record<string, unknown>[] }> }) => T,
  ): Promise<Awaited<T>>;
  release(): Promise<void>;
}

interface GraphileRunner {
  events: { on(event: string, fn: (e: { job: GraphileJob; error?: unknown }) => void): void };
  stop(): Promise<void>;
}

interface Graphile {
  makeWorkerUtils(options: Record<string, unknown>): Promise<WorkerUtils>;
  run(options: Record<string, unknown>): Promise<GraphileRunner>;
  Logger: new (factory: () => () => void) => unknown;
}

async function loadGraphile(): Promise<Graphile> {
  const source = `export { makeWorkerUtils, run, Logger } from "${GRAPHILE_PACKAGE}";`;
  return await import(`data:text/javascript,${encodeURIComponent(source)}`) as Graphile;
}

/** Its own logging would mix with the worker's JSON lines on stdout. */
function quiet(peer: Graphile): unknown {
  return new peer.Logger(() => () => {});
}

async function utils(peer: Graphile, url: string): Promise<WorkerUtils> {
  const workerUtils = await peer.makeWorkerUtils({ connectionString: url, logger: quiet(peer) });
  await workerUtils.migrate();
  return workerUtils;
}

/**
 * graphile-worker as a `queue_worker.ts` kind.
 *
 * @example
 * ```ts ignore
 * const putter = await graphile.putter("postgres://coord@127.0.0.1:5432/coord", "q");
 * ```
 */
export const graphile: Kind = {
  async putter(url) {
    const peer = await loadGraphile();
    const workerUtils = await utils(peer, url);
    const put = (data: unknown) => workerUtils.addJob(TASK, data);
    // graphile-worker has no queues to name here: every job is the one task's.
    return {
      put: (_queue, data) => put(data),
      putMany: (_queue, data) => Promise.all(data.map(put)),
      close: () => workerUtils.release(),
    };
  },
  async runner(url) {
    const peer = await loadGraphile();
    const workerUtils = await utils(peer, url);
    return {
      async run(tally, { concurrency, stop }) {
        const runner = await peer.run({
          connectionString: url,
          concurrency,
          noHandleSignals: true,
          logger: quiet(peer),
          taskList: {
            [TASK]: (payload: unknown, helpers: { job: GraphileJob }) => {
              tally.started(String(helpers.job.id), payload);
            },
          },
        });
        runner.events.on("job:success", ({ job }) => tally.completedJob(String(job.id)));
        runner.events.on(
          "job:error",
          ({ job, error }) => tally.problem(`failed ${job.id}: ${error}`),
        );
        await Promise.race([
          tally.allCompleted,
          new Promise((resolve) => stop.addEventListener("abort", resolve, { once: true })),
        ]);
        await runner.stop();
      },
      // A completed job is deleted: what is left is what did not complete.
      counts: () =>
        workerUtils.withPgClient(async (client) => {
          const { rows: [row] } = await client.query(
            "SELECT count(*)::int AS left_over FROM graphile_worker.jobs",
          );
          return { left_over: Number(row.left_over) };
        }),
      close: () => workerUtils.release(),
    };
  },
};
