/**
 * Several worker processes on one SQLite file, every one of them wanting the write lock all the
 * time: each job runs once, and no step gives up on the lock.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { putJobs } from "../lib/queue/bulk.ts";
import { queueCounts } from "../lib/queue/queue.ts";
import { runCoord } from "./support/cli.ts";
import { tempDir, tempSqlite } from "./support/temp.ts";

const JOBS = 4_000;
const WORKERS = 4;

Deno.test(
  `${WORKERS} worker processes draining ${JOBS} short jobs from one SQLite file run each once ` +
    `and never find the file locked`,
  async () => {
    await using db = await tempSqlite();
    await using temp = await tempDir("coord-test-");
    const log = `${temp.path}/runs`;
    await Deno.writeTextFile(log, "");
    await Deno.writeTextFile(
      `${temp.path}/handlers.ts`,
      // One short line per run, appended (atomically, O_APPEND) by whichever worker runs it.
      `export function note(id: number) {
         Deno.writeTextFileSync(${JSON.stringify(log)}, \`\${id}\\n\`, { append: true });
         return id;
       }`,
    );
    {
      await using backend = await connect({ url: db.url, env: {} });
      const jobs = Array.from({ length: JOBS }, (_, i) => ({ handler: "note", args: i }));
      await putJobs(backend, "busy", jobs);
    }
    const work = [
      "queue",
      "work",
      "busy",
      "--module",
      `${temp.path}/handlers.ts`,
      "--concurrency",
      "50",
      "--drain",
    ];
    const results = await Promise.all(
      Array.from({ length: WORKERS }, () => runCoord(work, { env: { COORD_URL: db.url } })),
    );
    for (const { code, stderr } of results) {
      assert.equal(code, 0, stderr);
      // A step that gave up on the write lock (the busy timeout) prints this and retries.
      assert.doesNotMatch(stderr, /database is locked|lost its lease/, stderr);
    }
    const runs = new Map<string, number>();
    for (const id of (await Deno.readTextFile(log)).split("\n").filter(Boolean)) {
      runs.set(id, (runs.get(id) ?? 0) + 1);
    }
    const twice = [...runs].filter(([, n]) => n > 1).map(([id]) => id);
    assert.deepEqual(twice, [], "jobs whose handler ran more than once");
    assert.equal(runs.size, JOBS);
    await using backend = await connect({ url: db.url, env: {} });
    const [counts] = await queueCounts(backend, ["busy"]);
    assert.deepEqual([counts.completed, counts.pending, counts.active, counts.failed], [
      JOBS,
      0,
      0,
      0,
    ]);
  },
);
