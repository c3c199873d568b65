/**
 * Purge on Redis refuses a finished job any part of which `show` refuses (65), as SQL refuses
 * its row: it checked the record and spec only, and removed one whose progress was not coord's.
 */

import assert from "node:assert/strict";
import { ForeignDataError } from "../lib/errors.ts";
import { putJob } from "../lib/queue/queue.ts";
import { purgeJobs } from "../lib/queue/retention.ts";
import { work } from "../lib/queue/worker.ts";
import { storedJobs } from "./support/queue.ts";
import { onRedis } from "./support/backends.ts";

onRedis(
  "purge refuses a finished job whose progress another program wrote (65)",
  async (backend) => {
    for (let i = 0; i < 2; i++) await putJob(backend, "p", { handler: "ok" });
    await work(backend, ["p"], { handlers: { ok: () => 1 }, drain: true });
    const key = backend.key("queue", "p", "progress");
    await backend.conn.send(key, ["HSET", key, "1", "junk"]);
    await assert.rejects(purgeJobs(backend, "p", { state: "completed" }), (e: unknown) => {
      assert.ok(e instanceof ForeignDataError, String(e));
      assert.match(e.message, /progress/);
      return true;
    });
    assert.equal(await storedJobs(backend, "p"), 2, "none removed");
  },
);
