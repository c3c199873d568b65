/**
 * The SQLite file's clock record (`coord_meta`, key `clock`: this boot's base, which keeps leases
 * and due times still when the wall clock is stepped) holding another program's value is refused
 * — exit 65, one line naming it — and left as it is: a look took it for no record and wrote its
 * own over it. Deleted, it is made afresh.
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { runCoord } from "./support/cli.ts";
import { withSqliteFile } from "./support/temp.ts";

const FOREIGN_RECORDS = [
  "junk",
  "5",
  '{"boot":1,"baseMs":0,"wallMinusBootMs":0}',
  '{"boot":"b","baseMs":"x","wallMinusBootMs":0}',
];

/** The clock record as stored, and the file's job count. */
function stored(path: string): { clock: unknown; jobs: unknown } {
  const db = new DatabaseSync(path);
  try {
    const read = (sql: string) => Object.values(db.prepare(sql).get() ?? {})[0];
    return {
      clock: read("SELECT value FROM coord_meta WHERE key = 'clock'"),
      jobs: read("SELECT count(*) FROM coord_queue_job"),
    };
  } finally {
    db.close();
  }
}

for (const value of FOREIGN_RECORDS) {
  Deno.test(`a clock record coord did not write (${value}) is refused (65) by a look and a put, and left as it is`, async () => {
    await withSqliteFile(async (path) => {
      const url = `sqlite:${path}`;
      const put = await runCoord(["queue", "put", "q", "--url", url, "--", "true"]);
      assert.equal(put.code, 0, put.stderr);
      const db = new DatabaseSync(path);
      db.prepare("UPDATE coord_meta SET value = ? WHERE key = 'clock'").run(value);
      db.close();
      for (const args of [["status", "q"], ["put", "q", "--", "true"]]) {
        const r = await runCoord(["queue", ...args.slice(0, 2), "--url", url, ...args.slice(2)]);
        assert.equal(r.code, 65, `${args.join(" ")}: ${r.stderr}`);
        assert.equal(
          r.stderr,
          `coord: ${url}: coord_meta holds a row coord did not write (clock = ` +
            `${JSON.stringify(value)}) — another program wrote there; delete the row (coord ` +
            `makes it afresh) or use another file\n`,
        );
      }
      assert.deepEqual(stored(path), { clock: value, jobs: 1 }, "left as it was");
      const fresh = new DatabaseSync(path);
      fresh.exec("DELETE FROM coord_meta WHERE key = 'clock'");
      fresh.close();
      const status = await runCoord(["queue", "status", "q", "--url", url]);
      assert.equal(status.code, 0, status.stderr);
      const made = JSON.parse(String(stored(path).clock));
      assert.equal(typeof made.boot, "string", "made afresh");
    });
  });
}

Deno.test("coord doctor reports a clock record coord did not write as a finding, and leaves it as it is", async () => {
  await withSqliteFile(async (path) => {
    const url = `sqlite:${path}`;
    const put = await runCoord(["queue", "put", "q", "--url", url, "--", "true"]);
    assert.equal(put.code, 0, put.stderr);
    for (const value of FOREIGN_RECORDS) {
      const db = new DatabaseSync(path);
      db.prepare("UPDATE coord_meta SET value = ? WHERE key = 'clock'").run(value);
      db.close();
      const problem = `a row coord did not write (clock = ${JSON.stringify(value)}): the file's ` +
        `clock record, another program's — delete the row (coord makes it afresh) or use ` +
        `another file`;
      const r = await runCoord(["doctor", "--url", url]);
      assert.equal(r.code, 0, `${value}: ${r.stderr}`);
      assert.match(r.stdout, /^foreign {5}1 table$/m, r.stdout);
      assert.ok(r.stdout.includes(`\n  table coord_meta: ${problem}\n`), r.stdout);
      assert.equal(
        r.stderr,
        `coord: warning: 1 table in ${url} holds data coord did not write — another program ` +
          `shares it; remove what it wrote, or choose another file with --url sqlite:PATH\n`,
      );
      const json = await runCoord(["doctor", "--url", url, "--json"]);
      assert.equal(json.code, 0, json.stderr);
      assert.deepEqual(JSON.parse(json.stdout).foreign, [{ where: "table coord_meta", problem }]);
      assert.deepEqual(stored(path), { clock: value, jobs: 1 }, `${value}: left as it was`);
    }
  });
});
