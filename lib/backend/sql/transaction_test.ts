import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { ForeignDataError } from "../../errors.ts";
import { withSavepoint } from "./transaction.ts";

/**
 * A SQLite database in a transaction, with one row `n` = 0, and `send` over it, which rejects
 * when its statement fails (as an engine that sends over a socket does), not throws.
 */
function begun() {
  const db = new DatabaseSync(":memory:");
  db.exec("CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (0); BEGIN");
  const send = async (sql: string) => {
    await Promise.resolve();
    db.exec(sql);
  };
  const n = () => (db.prepare("SELECT n FROM t").get() as { n: number }).n;
  return { db, send, n };
}

Deno.test("withSavepoint() undoes what its part wrote when it throws, and the transaction goes on", async () => {
  const { db, send, n } = begun();
  await assert.rejects(
    withSavepoint(send, () => {
      db.exec("UPDATE t SET n = 1");
      throw new ForeignDataError("another program's row");
    }),
    ForeignDataError,
  );
  db.exec("UPDATE t SET n = n + 2; COMMIT");
  assert.equal(n(), 2);
  db.close();
});

Deno.test("withSavepoint() throws the undo's error, not its part's, when the undo fails", async () => {
  const { db, send, n } = begun();
  // The part ends its savepoint (as an engine's own rollback would): nothing is left to undo to.
  const undo = withSavepoint(send, () => {
    db.exec("UPDATE t SET n = 1; RELEASE SAVEPOINT coord_step_part");
    throw new ForeignDataError("another program's row");
  });
  await assert.rejects(undo, (e) => !(e instanceof ForeignDataError) && /savepoint/i.test(`${e}`));
  db.exec("ROLLBACK");
  assert.equal(n(), 0);
  db.close();
});

Deno.test("withSavepoint() throws its part's own error, not the undo's, when that was no refusal", async () => {
  const { db, send } = begun();
  // As SQLite's own rollback of the whole transaction on a full disk: the savepoint is gone.
  const full = new Error("database or disk is full");
  const undo = withSavepoint(send, () => {
    db.exec("RELEASE SAVEPOINT coord_step_part");
    throw full;
  });
  await assert.rejects(undo, (e) => e === full);
  db.exec("ROLLBACK");
  db.close();
});
