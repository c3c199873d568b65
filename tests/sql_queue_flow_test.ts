/**
 * A flow's group on SQL: its record lists every part (≈ 65 KB at 5,000), so it is written once,
 * as the flow is put, and each part's end counts itself in a column of its own. Rewriting the
 * record at each end made a flow's ends write a quadratic amount.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { putFlow } from "../lib/queue/flow.ts";
import { getJob } from "../lib/queue/queue.ts";
import { BACKENDS, freshNamespace } from "./support/backends.ts";
import { completions } from "./support/finishes.ts";
import { runSql, sqlValue } from "./support/sql.ts";

for (const backend of BACKENDS.filter((b) => b.label === "sqlite" || b.label === "postgres")) {
  Deno.test({
    name:
      `a flow part's end counts it, its group's stored list of parts left as put (${backend.label})`,
    ignore: !backend.available,
    async fn() {
      await using target = await backend.use();
      const namespace = freshNamespace();
      await using db = await connect({ url: target.url, namespace, env: {} });
      const parts = Array.from({ length: 3 }, (_, i) => ({ handler: "h", args: i }));
      await putFlow(db, "q", { parallel: parts, postprocess: { handler: "h" } }, { id: "f" });
      const stored = () =>
        sqlValue(db, "SELECT grp FROM coord_queue_job WHERE namespace = ? AND id = 'f'", namespace);
      const put = await stored();
      const lease = { worker: "w", leaseMs: 60_000 };
      const held = (await db.queue.finishAndClaim("q", { finishes: [], ...lease, claims: 2 })).jobs;
      await db.queue.finishAndClaim("q", { finishes: completions(held), ...lease, claims: 0 });
      const group = await getJob(db, "q/f");
      assert.deepEqual([group.state, group.group?.done], ["waiting", 2]);
      assert.equal(await stored(), put);
    },
  });

  Deno.test({
    name:
      `a group an earlier coord put, its count in its record, counts on from there (${backend.label})`,
    ignore: !backend.available,
    async fn() {
      await using target = await backend.use();
      const namespace = freshNamespace();
      await using db = await connect({ url: target.url, namespace, env: {} });
      const parts = Array.from({ length: 3 }, (_, i) => ({ handler: "h", args: i }));
      await putFlow(db, "q", { parallel: parts, postprocess: { handler: "h" } }, { id: "f" });
      const lease = { worker: "w", leaseMs: 60_000 };
      const held = (await db.queue.finishAndClaim("q", { finishes: [], ...lease, claims: 3 })).jobs;
      await db.queue.finishAndClaim("q", {
        finishes: completions(held.slice(0, 2)),
        ...lease,
        claims: 0,
      });
      // As an earlier coord left it: no count of its own, the record's rewritten at each end.
      const grp = JSON.parse(
        String(
          await sqlValue(
            db,
            "SELECT grp FROM coord_queue_job WHERE namespace = ? AND id = 'f'",
            namespace,
          ),
        ),
      );
      await runSql(
        db,
        "UPDATE coord_queue_job SET done = NULL, grp = ? WHERE namespace = ? AND id = 'f'",
        JSON.stringify({ ...grp, done: 2 }),
        namespace,
      );
      assert.equal((await getJob(db, "q/f")).group?.done, 2);
      await db.queue.finishAndClaim("q", {
        finishes: completions(held.slice(2)),
        ...lease,
        claims: 0,
      });
      const group = await getJob(db, "q/f");
      assert.deepEqual([group.state, group.group?.done], ["waiting", 3]);
      assert.equal((await getJob(db, "q/f.post")).state, "pending", "its postprocess released");
    },
  });
}
