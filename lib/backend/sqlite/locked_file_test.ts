import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { BackendUnreachableError } from "../../errors.ts";
import { withSqliteFile } from "../../../tests/support/temp.ts";
import { SHORT_LOCK_MS, TRY_BUSY_TIMEOUT_MS, whileLocked } from "./locked_file.ts";

/** Runs `fn` with a connection to a file that another connection holds in `BEGIN EXCLUSIVE`. */
async function withLockedFile(
  fn: (db: DatabaseSync, holder: DatabaseSync) => Promise<void>,
): Promise<void> {
  await withSqliteFile(async (path) => {
    const holder = new DatabaseSync(path);
    const db = new DatabaseSync(path);
    try {
      db.exec(`PRAGMA busy_timeout = ${TRY_BUSY_TIMEOUT_MS}`);
      holder.exec("BEGIN EXCLUSIVE");
      await fn(db, holder);
    } finally {
      db.close();
      holder.close();
    }
  });
}

const tables = (db: DatabaseSync) => db.prepare("SELECT count(*) AS n FROM sqlite_schema").get();

Deno.test("whileLocked() tries again until the file is released, telling once it has waited", async () => {
  await withLockedFile(async (db, holder) => {
    const told: string[] = [];
    const result = await whileLocked(() => tables(db), {
      displayUrl: "sqlite:f.db",
      onLocked: (message) => {
        told.push(message);
        holder.exec("COMMIT");
      },
    });
    assert.deepEqual({ ...result }, { n: 0 });
    assert.deepEqual(told, [
      "sqlite:f.db is locked by another process (database is locked) — waiting for it",
    ]);
  });
});

Deno.test("whileLocked() gives up after waitMs, naming the file", async () => {
  await withLockedFile(async (db) => {
    await assert.rejects(
      whileLocked(() => tables(db), { displayUrl: "sqlite:f.db", waitMs: SHORT_LOCK_MS + 200 }),
      (e) =>
        e instanceof BackendUnreachableError &&
        /^cannot open sqlite:f\.db: another process held it locked for 1\.\d s/.test(e.message),
    );
  });
});

Deno.test("whileLocked() with waitMs 0 rides out a lock released after its first try", async () => {
  await withLockedFile(async (db, holder) => {
    let tries = 0;
    const result = await whileLocked(() => {
      // Another coord's opening lets go of the file while this one pauses.
      if (++tries === 2) holder.exec("COMMIT");
      return tables(db);
    }, { displayUrl: "sqlite:f.db", waitMs: 0 });
    assert.deepEqual({ ...result }, { n: 0 });
    assert.equal(tries, 2);
  });
});

Deno.test("whileLocked() with waitMs 0 gives up once the file stayed locked SHORT_LOCK_MS", async () => {
  await withLockedFile(async (db) => {
    const startedAt = performance.now();
    await assert.rejects(
      whileLocked(() => tables(db), { displayUrl: "sqlite:f.db", waitMs: 0 }),
      BackendUnreachableError,
    );
    assert.ok(performance.now() - startedAt >= SHORT_LOCK_MS);
  });
});

Deno.test("whileLocked() rejects with the signal's reason when it aborts", async () => {
  await withLockedFile(async (db) => {
    const stop = new AbortController();
    const reason = new Error("stopped");
    await assert.rejects(
      whileLocked(() => tables(db), {
        displayUrl: "sqlite:f.db",
        signal: stop.signal,
        onLocked: () => stop.abort(reason),
      }),
      (e) => e === reason,
    );
  });
});

Deno.test("whileLocked() throws any other error at once", async () => {
  await withSqliteFile(async (path) => {
    const db = new DatabaseSync(path);
    let tries = 0;
    try {
      await assert.rejects(
        whileLocked(() => {
          tries++;
          return db.prepare("SELECT * FROM missing").all();
        }, { displayUrl: "sqlite:f.db" }),
        /no such table/,
      );
      assert.equal(tries, 1);
    } finally {
      db.close();
    }
  });
});
