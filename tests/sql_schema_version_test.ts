/**
 * The schema version stored in `coord_meta` is checked on both SQL engines before coord reads or
 * upgrades its tables: a newer coord's (higher) is refused saying this coord is older, another
 * program's value as foreign data — exit 65, one line — and the tables are left as they are (an
 * index the upgrade would make again stays missing). Both were ignored: the older coord went on,
 * upgrading the newer coord's tables. This coord's version, and none, still open.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import type { Backend } from "../lib/backend/types.ts";
import { BACKENDS, freshNamespace } from "./support/backends.ts";
import { runCoord } from "./support/cli.ts";
import { runSql, sqlValue } from "./support/sql.ts";
import { openClient } from "./support/postgres_client.ts";
import { schemaIdentifier } from "../lib/backend/postgres/sql_store.ts";
import { refuseSchemaVersion, SCHEMA_VERSION } from "../lib/backend/sql/schema_version.ts";
import { ForeignDataError } from "../lib/errors.ts";

/** An index coord keeps: dropped, every open upgrades the tables to make it again. */
const INDEX = "coord_queue_job_finished";

async function indexes(backend: Backend): Promise<number> {
  return Number(
    backend.kind === "sqlite"
      ? await sqlValue(backend, "SELECT count(*) FROM sqlite_schema WHERE name = ?", INDEX)
      : await sqlValue(
        backend,
        "SELECT count(*) FROM pg_indexes WHERE schemaname = ? AND indexname = ?",
        backend.namespace,
        INDEX,
      ),
  );
}

/** Drops {@link INDEX} (on Postgres by a connection of its own: DDL is no prepared statement). */
async function dropIndex(backend: Backend, url: string): Promise<void> {
  if (backend.kind === "sqlite") return await runSql(backend, `DROP INDEX ${INDEX}`);
  const client = await openClient(url);
  try {
    await client.query(`DROP INDEX ${schemaIdentifier(backend.namespace)}.${INDEX}`);
  } finally {
    await client.end();
  }
}

for (const backend of BACKENDS.filter((b) => b.label === "sqlite" || b.label === "postgres")) {
  Deno.test({
    name: `a newer coord's schema version, or another program's, is refused (65) and its ` +
      `tables left as they are; this coord's, or none, opens (${backend.label})`,
    ignore: !backend.available,
    async fn() {
      await using target = await backend.use();
      const namespace = freshNamespace();
      await using db = await connect({ url: target.url, namespace, env: {} });
      await db.queue.put("q", {
        id: "j",
        spec: { handler: "h", retries: 0, backoffMs: 0 },
        delayMs: 0,
      });
      const flags = ["--url", target.url, "--namespace", namespace];
      const where = backend.label === "sqlite"
        ? `${target.url}: `
        : `${target.url.replace(/\/\/([^:@/]+):[^@]*@/, "//$1:***@")}: schema "${namespace}": `;
      const setVersion = (value: string) =>
        runSql(db, "UPDATE coord_meta SET value = ? WHERE key = 'schema_version'", value);
      const wayOut = backend.label === "sqlite"
        ? "choose another file with --url sqlite:PATH"
        : "use another --namespace";
      const refusals = [
        {
          value: "99",
          line: `${where}its tables are a newer coord's (schema version 99; this coord is ` +
            `older and knows ${SCHEMA_VERSION}) — coord leaves them as they are; run that newer coord, or ${wayOut}`,
        },
        ...["x", "0", "01"].map((value) => ({
          value,
          line: `${where}coord_meta holds a row coord did not write (schema_version = ` +
            `"${value}") — another program wrote there; ${wayOut}`,
        })),
      ];
      for (const { value, line } of refusals) {
        await setVersion(value);
        for (const upgrade of [false, true]) {
          if (upgrade) await dropIndex(db, target.url);
          for (const args of [["status", "q"], ["put", "q", "--", "true"]]) {
            const r = await runCoord(["queue", ...args.slice(0, 2), ...flags, ...args.slice(2)]);
            assert.equal(r.code, 65, `${value}: ${args.join(" ")}: ${r.stderr}`);
            assert.equal(r.stderr, `coord: ${line}\n`);
          }
          assert.equal(await indexes(db), upgrade ? 0 : 1, `${value}: tables left as they were`);
          assert.equal(
            await sqlValue(db, "SELECT value FROM coord_meta WHERE key = 'schema_version'"),
            value,
          );
        }
        // This coord's version: a look reads the tables, a put upgrades them back.
        await setVersion(String(SCHEMA_VERSION));
        const status = await runCoord(["queue", "status", "q", ...flags]);
        assert.equal(status.code, 0, status.stderr);
        const put = await runCoord(["queue", "put", "q", ...flags, "--", "true"]);
        assert.equal(put.code, 0, put.stderr);
        assert.equal(await indexes(db), 1);
      }
      await runSql(db, "DELETE FROM coord_meta WHERE key = 'schema_version'");
      const none = await runCoord(["queue", "status", "q", ...flags]);
      assert.equal(none.code, 0, none.stderr);
    },
  });
}

/** The stored schema version. */
function storedVersion(db: Backend): Promise<unknown> {
  return sqlValue(db, "SELECT value FROM coord_meta WHERE key = 'schema_version'");
}

/**
 * What an older coord (or someone) left of the version, over coord's tables of today, or of
 * today's less an index (`upgrade`).
 */
const LEFTOVERS = [
  { what: "1", leave: "UPDATE coord_meta SET value = '1' WHERE key = 'schema_version'" },
  // A coord that knows 1 opens tables without a version too, as one made before it was kept.
  { what: "none", leave: "DELETE FROM coord_meta WHERE key = 'schema_version'" },
  // Postgres took such a schema for another program's (65), where SQLite upgraded the file.
  {
    what: "none, an index missing",
    leave: "DELETE FROM coord_meta WHERE key = 'schema_version'",
    upgrade: true,
  },
];

for (const backend of BACKENDS.filter((b) => b.label === "sqlite" || b.label === "postgres")) {
  Deno.test({
    name: `an older coord's schema version (1), or none beside coord's tables (one of their ` +
      `indexes missing, too), is raised to 2 by ` +
      `a command that writes, so that a coord that knows only 1 refuses the tables ` +
      `(${backend.label})`,
    ignore: !backend.available,
    async fn() {
      await using target = await backend.use();
      const namespace = freshNamespace();
      await using db = await connect({ url: target.url, namespace, env: {} });
      const flags = ["--url", target.url, "--namespace", namespace];
      const put = await runCoord(["queue", "put", "q", ...flags, "--", "true"]);
      assert.equal(put.code, 0, put.stderr);
      assert.equal(await storedVersion(db), "2", "a new schema is at 2");
      for (const { what, leave, upgrade } of LEFTOVERS) {
        // Its tables are today's: 2 changed no table.
        await runSql(db, leave);
        if (upgrade) await dropIndex(db, target.url);
        const left = await storedVersion(db);
        if (backend.label === "postgres") {
          // A look alters nothing, and reads the tables as they are.
          const status = await runCoord(["queue", "status", "q", ...flags]);
          assert.equal(status.code, 0, `${what}: ${status.stderr}`);
          assert.equal(await storedVersion(db), left, `${what}: a look leaves the version`);
        }
        const again = await runCoord(["queue", "put", "q", ...flags, "--", "true"]);
        assert.equal(again.code, 0, `${what}: ${again.stderr}`);
        const stored = await storedVersion(db);
        assert.equal(stored, "2", `${what}: the writer raised it`);
        assert.equal(await indexes(db), 1, `${what}: and made the index again`);
        // What that coord's check (6d69b66 and later, the same function) makes of it: older.
        assert.throws(
          () => refuseSchemaVersion(stored, 1, { subject: "s", wayOut: "w" }),
          (e) =>
            e instanceof ForeignDataError &&
            e.message === "s: its tables are a newer coord's (schema version 2; this coord is " +
                "older and knows 1) — coord leaves them as they are; run that newer coord, or w",
        );
      }
    },
  });
}
