import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { ForeignDataError } from "../../errors.ts";
import { Statements } from "./statements.ts";

function jobs(): Statements {
  const db = new DatabaseSync(":memory:");
  db.exec("CREATE TABLE job (id TEXT, state TEXT, attempts INTEGER, spec TEXT)");
  const statements = new Statements(db);
  for (const [id, attempts] of [["a", 0], ["b", 2]] as const) {
    statements.run("INSERT INTO job VALUES (?, 'pending', ?, '{}')", id, attempts);
  }
  return statements;
}

Deno.test("rows are ordinary objects of one shape, not node:sqlite's prototype-less ones", () => {
  const rows = jobs().all<Record<string, unknown>>("SELECT * FROM job ORDER BY id");
  assert.deepEqual(rows, [
    { id: "a", state: "pending", attempts: 0, spec: "{}" },
    { id: "b", state: "pending", attempts: 2, spec: "{}" },
  ]);
  // node:sqlite's own rows have none, and V8 keeps them as slow dictionaries.
  for (const row of rows) assert.equal(Object.getPrototypeOf(row), Object.prototype);
  assert.deepEqual(Object.keys(rows[0]), ["id", "state", "attempts", "spec"]);
});

Deno.test("a bare LIMIT ? takes its value; a query's first value is read alone", () => {
  const statements = jobs();
  assert.deepEqual(statements.all("SELECT id FROM job ORDER BY id LIMIT ?", 1), [{ id: "a" }]);
  assert.equal(statements.value("SELECT count(*) FROM job"), 2);
  assert.equal(statements.value("SELECT id FROM job WHERE id = 'none'"), undefined);
});

Deno.test("a row of many columns keeps V8's fast properties (not a dictionary)", async () => {
  // Only V8's own test function tells, and only with its flag: a process of its own.
  const code = `
    import { DatabaseSync } from "node:sqlite";
    import { Statements } from ${JSON.stringify(new URL("./statements.ts", import.meta.url).href)};
    const db = new DatabaseSync(":memory:");
    const columns = Array.from({ length: 30 }, (_, i) => "c" + i);
    db.exec("CREATE TABLE t (" + columns.join(", ") + ")");
    db.exec("INSERT INTO t VALUES (" + columns.map(() => 1).join(", ") + ")");
    const [row] = new Statements(db).all("SELECT * FROM t");
    console.log(eval("%HasFastProperties(row)"));
  `;
  const { stdout, success } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", "--v8-flags=--allow-natives-syntax", code],
    stderr: "inherit",
  }).output();
  assert.ok(success);
  assert.equal(new TextDecoder().decode(stdout).trim(), "true");
});

Deno.test("an integer beyond 2^53 refuses the read, or comes as its digits from a checked table", () => {
  const db = new DatabaseSync(":memory:");
  for (const table of ["job", "other"]) {
    db.exec(`CREATE TABLE ${table} (id TEXT, n INTEGER)`);
    db.prepare(`INSERT INTO ${table} VALUES ('small', ?), ('huge', ?), ('low', ?)`)
      .run(2 ** 53 - 1, 2n ** 60n + 1n, -(2n ** 53n) - 1n);
  }
  const statements = new Statements(db, ["job"]);
  // node:sqlite throws for the whole read: coord refused every row with it.
  assert.deepEqual(statements.all("SELECT id, n FROM job ORDER BY rowid"), [
    { id: "small", n: 2 ** 53 - 1 },
    { id: "huge", n: "1152921504606846977" },
    { id: "low", n: "-9007199254740993" },
  ]);
  assert.throws(() => statements.all("SELECT id, n FROM other"), ForeignDataError);
  // Read as numbers again once past it.
  db.exec("DELETE FROM job WHERE id <> 'small'");
  assert.deepEqual(statements.all("SELECT id, n FROM job"), [{ id: "small", n: 2 ** 53 - 1 }]);
});
