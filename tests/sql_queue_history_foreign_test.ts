/**
 * A retried job's history row another program put where coord writes the next one is refused on
 * both SQL engines — exit 65, one line naming the row — and left as it is, with the job. The
 * insert failed on its key: a bug's exit (70).
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import type { JobSpec } from "../lib/queue/steps.ts";
import { cancelJob } from "../lib/queue/queue.ts";
import { BACKENDS, freshNamespace } from "./support/backends.ts";
import { runCoord } from "./support/cli.ts";
import { runSql, sqlRows } from "./support/sql.ts";

const SPEC: JobSpec = { handler: "h", retries: 0, backoffMs: 0 };

for (const backend of BACKENDS.filter((b) => b.label === "sqlite" || b.label === "postgres")) {
  Deno.test({
    name: `a coord_queue_history row at a job's next seq is refused (65) by queue retry, by id ` +
      `and --failed, and left (${backend.label})`,
    ignore: !backend.available,
    async fn() {
      await using target = await backend.use();
      const namespace = freshNamespace();
      await using db = await connect({ url: target.url, namespace, env: {} });
      await db.queue.put("q", { id: "2", spec: SPEC, delayMs: 0 });
      await cancelJob(db, "q/2");
      // The job has no history: its first entry goes at seq 1 with this row counted.
      await runSql(
        db,
        `INSERT INTO coord_queue_history (namespace, queue, id, seq, entry)
         VALUES (?, 'q', '2', 1, '{}')`,
        namespace,
      );
      const stored = async () =>
        JSON.stringify(
          await Promise.all(
            ["coord_queue_job", "coord_queue_history", "coord_queue_kept"].map((table) =>
              sqlRows(db, `SELECT * FROM ${table} ORDER BY 1, 2, 3`)
            ),
          ),
        );
      const before = await stored();
      const flags = ["--url", target.url, "--namespace", namespace];
      for (
        const args of [
          ["queue", "retry", "q/2", ...flags],
          ["queue", "retry", "q", "--failed", "--all", ...flags],
        ]
      ) {
        const r = await runCoord(args);
        assert.equal(r.code, 65, `${args.join(" ")}: ${r.stderr}`);
        assert.equal(
          r.stderr,
          `coord: job q/2: coord_queue_history holds a row coord did not write (seq = 1) — ` +
            `another program wrote there; delete the row or use another --namespace\n`,
        );
      }
      assert.equal(await stored(), before, "the job and its history are left as they were");
    },
  });
}
