/** The order of `coord queue work --verbose`'s lines: a run's end before what took its slot. */

import assert from "node:assert/strict";
import { runCoord } from "./support/cli.ts";
import { tempDir, tempSqlite } from "./support/temp.ts";

Deno.test("queue work --verbose says a run ended before the job its finish took started", async () => {
  await using db = await tempSqlite();
  await using temp = await tempDir("coord-test-");
  await Deno.writeTextFile(
    `${temp.path}/h.ts`,
    `export function ok() {}\nexport function bad() { throw new Error("no"); }\n`,
  );
  const jobs = Array.from(
    { length: 6 },
    (_, i) => JSON.stringify({ handler: i % 2 ? "bad" : "ok", retries: 0 }),
  )
    .join("\n");
  const put = await runCoord(["queue", "put", "q", "--from", "-", "--url", db.url], {
    stdin: `${jobs}\n`,
  });
  assert.equal(put.code, 0, put.stderr);
  // One slot: each finish takes the next job, in the same step.
  const work = await runCoord([
    "queue",
    "work",
    "q",
    "--module",
    `${temp.path}/h.ts`,
    "--concurrency",
    "1",
    "--drain",
    "--verbose",
    "--url",
    db.url,
  ]);
  assert.equal(work.code, 0, work.stderr);
  const lines = work.stderr.split("\n").filter((line) =>
    / started | completed | failed /.test(line)
  );
  const said = lines.map((line) => /^coord: (q\/\d+) (started|completed|failed)/.exec(line)!)
    .map(([, job, what]) => `${job} ${what === "started" ? "started" : "ended"}`);
  const expected = Array.from({ length: 6 }, (_, i) => [`q/${i + 1} started`, `q/${i + 1} ended`])
    .flat();
  assert.deepEqual(said, expected, work.stderr);
});
