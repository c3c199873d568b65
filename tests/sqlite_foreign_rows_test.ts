/**
 * SQLite keeps a value of any type in any column: a row another program wrote into a coord
 * table must be refused (exit 65, one line) and left as it is, not compared or overwritten as
 * if it were coord's; `coord doctor` lists it.
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { connect } from "../lib/backend/connect.ts";
import { runCoord } from "./support/cli.ts";
import { assertJobsRefused } from "./support/sql.ts";

interface Plant {
  table: string;
  /** Column values of the foreign row, in the table's column order. */
  row: (string | number | null | Uint8Array)[];
  /** A command that touches the row; undefined when only doctor reads the table. */
  args?: string[];
}

const NS = "coord";
const PLANTS: Plant[] = [
  {
    table: "coord_barrier",
    row: [NS, "b", "junk", null, 0, null, null, null],
    args: ["barrier", "b", "1"],
  },
  {
    table: "coord_barrier_arrival",
    row: [NS, "b", "x", 1, "h", 1, 0, "never"],
    args: ["barrier", "b", "2", "--timeout", "5"],
  },
  { table: "coord_barrier_ended", row: [NS, "b", "one", null, null], args: ["barrier", "b", "1"] },
  { table: "coord_barrier_member", row: [NS, "b", "x", "one"], args: ["barrier", "b", "1"] },
  { table: "coord_lock", row: [NS, "r", "x", 1, 1], args: ["lock", "run", "r", "--", "true"] },
  {
    table: "coord_lock_ticket",
    row: [NS, "r", 1, "them", 0, "never", null, 0],
    args: ["lock", "run", "r", "--", "true"],
  },
  { table: "coord_lock_counter", row: [NS, "r", "x"], args: ["lock", "run", "r", "--", "true"] },
  { table: "coord_lock_event", row: [1, NS, "r", "not json"] },
  { table: "coord_schedule", row: [NS, "t", "v1", "{}"], args: ["schedule", "status", "t"] },
  {
    table: "coord_queue_job",
    row: [
      NS,
      "q",
      "1",
      "pending",
      "soon",
      null,
      0,
      0,
      0,
      null,
      null,
      "{}",
      null,
      null,
      0,
      null,
      null,
      null,
      null,
      null,
      // progress, priority, due, keep, expires_at, outlived_at, group_key
      null,
      0,
      0,
      null,
      null,
      null,
      null,
    ],
    args: ["queue", "show", "q/1"],
  },
  {
    table: "coord_queue_counter",
    row: [NS, "q", "x"],
    args: ["queue", "put", "q", "--handler", "h"],
  },
  { table: "coord_queue_worker", row: [NS, "q", "w", "forever"] },
  // A TEXT column turns a number into text: only a blob stays foreign there.
  { table: "coord_meta", row: ["app", new Uint8Array([1, 2])] },
];

/** A fresh file with coord's tables, made by coord itself. */
async function freshFile(dir: string): Promise<string> {
  const path = `${dir}/coord.db`;
  await (await connect({ url: `sqlite:${path}`, env: {} })).close();
  return path;
}

function plant(path: string, { table, row }: Plant): () => unknown[] {
  const db = new DatabaseSync(path);
  try {
    db.prepare(`INSERT INTO ${table} VALUES (${row.map(() => "?").join(", ")})`).run(...row);
  } finally {
    db.close();
  }
  return () => {
    const reader = new DatabaseSync(path);
    try {
      return reader.prepare(`SELECT * FROM ${table} ORDER BY rowid`).all();
    } finally {
      reader.close();
    }
  };
}

for (const p of PLANTS.filter((p) => p.args)) {
  Deno.test(`a foreign row in ${p.table}: coord ${p.args![0]} exits 65 and leaves it`, async () => {
    const dir = await Deno.makeTempDir();
    try {
      const path = await freshFile(dir);
      const rows = plant(path, p);
      const before = rows();
      const r = await runCoord(p.args!, { env: { COORD_URL: `sqlite:${path}` } });
      assert.equal(r.code, 65, r.stderr);
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`${p.table} holds a row coord did not write`));
      assert.deepEqual(rows(), before, "the row is left as it was");
    } finally {
      await Deno.remove(dir, { recursive: true });
    }
  });
}

Deno.test("coord doctor lists a foreign row in every coord table", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = await freshFile(dir);
    for (const p of PLANTS) plant(path, p);
    const r = await runCoord(["doctor", "--url", `sqlite:${path}`, "--json"]);
    const found = JSON.parse(r.stdout).foreign as { where: string; problem: string }[];
    assert.deepEqual(
      found.map((f) => f.where).sort(),
      PLANTS.map((p) => `table ${p.table}`).sort(),
    );
    for (const f of found) assert.match(f.problem, /^a row coord did not write \(\w+ = .+\)$/);
    assert.match(
      r.stderr,
      new RegExp(`warning: ${PLANTS.length} tables in namespace "coord" hold data coord did not`),
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("coord doctor counts tables, and shows 5 foreign rows of a table and how many more", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = await freshFile(dir);
    const db = new DatabaseSync(path);
    db.exec("CREATE TABLE app_users (a)");
    for (let i = 0; i < 7; i++) {
      db.prepare("INSERT INTO coord_lock_counter VALUES (?, ?, 'x')").run(NS, `r${i}`);
    }
    db.close();
    const r = await runCoord(["doctor", "--url", `sqlite:${path}`]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    const from = lines.findIndex((line) => line.startsWith("foreign"));
    assert.deepEqual(lines.slice(from), [
      "foreign     2 tables",
      "  table app_users: not a coord table",
      ...Array(5).fill('  table coord_lock_counter: a row coord did not write (tickets = "x")'),
      "  table coord_lock_counter: 2 more rows coord did not write",
      "",
    ]);
    assert.match(r.stderr, /warning: 2 tables in sqlite:\S+ hold data coord did not write/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("coord doctor names a lock's foreign value once, and counts it as a lock", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const url = `sqlite:${dir}/coord.db`;
    for (const r of ["r1", "r2"]) {
      assert.equal((await runCoord(["lock", "run", r, "--url", url, "--", "true"])).code, 0);
    }
    const db = new DatabaseSync(`${dir}/coord.db`);
    // A word, which the search for rows finds, and a limit of 0, which only a read judges.
    db.exec("UPDATE coord_lock SET lim = 'x' WHERE name = 'r1'");
    db.exec("UPDATE coord_lock SET lim = 0 WHERE name = 'r2'");
    db.close();
    const r = await runCoord(["doctor", "--url", url]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split("\n");
    assert.deepEqual(lines.slice(lines.findIndex((line) => line.startsWith("foreign"))), [
      "foreign     1 table, 1 lock",
      '  table coord_lock: a row coord did not write (lim = "x")',
      '  lock "r2": coord_lock holds a row coord did not write (lim = 0) — another program ' +
      "wrote there; delete the row or use another --namespace",
      "",
    ]);
    assert.match(r.stderr, /warning: 1 table, 1 lock in namespace "coord" hold data coord did/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("coord doctor finds every job coord queue show refuses as foreign, and only those", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = await freshFile(dir);
    const env = { COORD_URL: `sqlite:${path}` };
    const put = await runCoord(["queue", "put", "q", "--from", "-"], {
      env,
      stdin: '{"handler": "h"}\n'.repeat(5),
    });
    assert.equal(put.code, 0, put.stderr);
    // Of the right type for SQLite, but not what coord writes there; job 5 is left as it was.
    const planted = [["result", "garbage"], ["spec", "[1]"], ["progress", "nope"], [
      "inputs",
      "{}",
    ]];
    const db = new DatabaseSync(path);
    for (const [i, [column, value]] of planted.entries()) {
      db.prepare(`UPDATE coord_queue_job SET ${column} = ? WHERE id = ?`).run(value, String(i + 1));
    }
    db.close();
    const r = await assertJobsRefused(env, planted.length);
    assert.match(r.stderr, /warning: 1 table in namespace "coord" holds data coord did not write/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("coord doctor reads 10,000 jobs, says it stopped there, and warns of nothing", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = await freshFile(dir);
    const put = await runCoord(["queue", "put", "q", "--from", "-", "--url", `sqlite:${path}`], {
      stdin: '{"handler": "h"}\n'.repeat(10_001),
    });
    assert.equal(put.code, 0, put.stderr);
    const r = await runCoord(["doctor", "--url", `sqlite:${path}`]);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^foreign +none\n {2}…: stopped reading jobs after 10000\n$/m);
    assert.equal(r.stderr, "", "a note that the search stopped is no finding");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("coord doctor reports a coord_-named table it does not know, and reads none of it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = await freshFile(dir);
    const db = new DatabaseSync(path);
    db.exec("CREATE TABLE coord_extra (a)");
    db.exec("INSERT INTO coord_extra VALUES ('theirs')");
    db.close();
    const r = await runCoord(["doctor", "--url", `sqlite:${path}`, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).foreign, [
      { where: "table coord_extra", problem: "not a coord table" },
    ]);
    // In the file, whatever the namespace: another --namespace would not leave it.
    assert.match(
      r.stderr,
      /warning: 1 table in sqlite:\S+ holds data coord did not write — another program shares it; remove what it wrote, or choose another file with --url sqlite:PATH\n$/,
    );
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an integer beyond 2^53 in a job's row: coord queue list exits 65 and leaves it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const path = await freshFile(dir);
    const put = await runCoord(["queue", "put", "q", "--handler", "h"], {
      env: { COORD_URL: `sqlite:${path}` },
    });
    assert.equal(put.code, 0, put.stderr);
    const db = new DatabaseSync(path);
    try {
      // node:sqlite cannot read it as a number: it threw, and coord exited 70.
      db.prepare("UPDATE coord_queue_job SET attempts = ?").run(2n ** 53n + 1n);
    } finally {
      db.close();
    }
    const r = await runCoord(["queue", "list", "q"], { env: { COORD_URL: `sqlite:${path}` } });
    assert.equal(r.code, 65, r.stderr);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    // The job is named, with the value as read: its digits, as no number holds them.
    assert.match(r.stderr, /queue "q": a job holds .*attempts.*9007199254740993.* another program/);
    const reader = new DatabaseSync(path);
    try {
      const read = reader.prepare("SELECT attempts FROM coord_queue_job");
      read.setReadBigInts(true);
      assert.deepEqual(read.all().map((row) => row.attempts), [2n ** 53n + 1n]);
    } finally {
      reader.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
