/**
 * An earlier coord's tables met by the roles README sets up beside their owner: a look alters
 * nothing, a writer that may not alter them is told who may, and that owner's `coord doctor`
 * brings them up to date.
 */

import assert from "node:assert/strict";
import { runCoord } from "./support/cli.ts";
import { openClient } from "./support/postgres_client.ts";
import { sharedPostgresUrl } from "./support/postgres_shared.ts";
import { schemaIdentifier } from "../lib/backend/postgres/sql_store.ts";
import { QUEUE_ADDED_COLUMNS, QUEUE_RETIRED_INDEXES } from "../lib/backend/sql/queue.ts";
import type { PgClient } from "../lib/backend/postgres/client.ts";

const url = await sharedPostgresUrl();
const ignore = url === undefined;
const port = url ? new URL(url).port : "";

/** The roles of one test: the tables' owner, a worker's (README's grants), a dashboard's. */
interface Roles {
  schema: string;
  admin: PgClient;
  /** Backend flags logging in as each role. */
  owner: string[];
  worker: string[];
  reader: string[];
  ownerRole: string;
}

/**
 * Runs `test` with three new login roles and a schema the owner's coord made, then made as an
 * earlier coord left it by `age` (run as the server's superuser, given the owner's and the
 * worker's role names); then drops them all.
 */
async function withEarlierSchema(
  age: (admin: PgClient, schema: string, roles: { owner: string; worker: string }) => Promise<void>,
  test: (roles: Roles) => Promise<void>,
): Promise<void> {
  const id = crypto.randomUUID().slice(0, 8);
  const [ownerRole, workerRole, readerRole] = ["owner", "worker", "reader"].map((r) =>
    `coord_${r}_${id}`
  );
  const schema = `t${id}`;
  const flags = (role: string) => [
    "--url",
    `postgres://${role}@127.0.0.1:${port}/coord`,
    "--namespace",
    schema,
  ];
  const admin = await openClient(url!);
  try {
    for (const role of [ownerRole, workerRole, readerRole]) {
      await admin.query(`CREATE ROLE ${role} LOGIN`);
    }
    await admin.query(`GRANT CREATE ON DATABASE coord TO ${ownerRole}`);
    try {
      const made = await runCoord([
        "queue",
        "put",
        "q",
        "--id",
        "j1",
        ...flags(ownerRole),
        "--",
        "true",
      ]);
      assert.equal(made.code, 0, made.stderr);
      const s = schemaIdentifier(schema);
      // README's grants, given by the owner, as README has them.
      const grants = [
        `GRANT USAGE, CREATE ON SCHEMA ${s} TO ${workerRole}`,
        `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${s} TO ${workerRole}`,
        `ALTER DEFAULT PRIVILEGES IN SCHEMA ${s} GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES ` +
        `TO ${workerRole}`,
        `GRANT USAGE ON SCHEMA ${s} TO ${readerRole}`,
        `GRANT SELECT ON ALL TABLES IN SCHEMA ${s} TO ${readerRole}`,
      ];
      await admin.query(`SET ROLE ${ownerRole}; ${grants.join("; ")}; RESET ROLE`);
      await age(admin, schema, { owner: ownerRole, worker: workerRole });
      await test({
        schema,
        admin,
        owner: flags(ownerRole),
        worker: flags(workerRole),
        reader: flags(readerRole),
        ownerRole,
      });
    } finally {
      await admin.query(`DROP SCHEMA IF EXISTS ${schemaIdentifier(schema)} CASCADE`);
      for (const role of [ownerRole, workerRole, readerRole]) {
        await admin.query(`DROP OWNED BY ${role}`);
        await admin.query(`DROP ROLE ${role}`);
      }
    }
  } finally {
    await admin.end();
  }
}

/** Without the queue's columns added since: as a coord before them made it. */
async function withoutAddedColumns(admin: PgClient, schema: string): Promise<void> {
  for (const { table, column } of QUEUE_ADDED_COLUMNS) {
    await admin.query(`ALTER TABLE ${schemaIdentifier(schema)}.${table} DROP COLUMN ${column}`);
  }
}

/** The queue's columns added since that the schema has. */
async function addedColumns(admin: PgClient, schema: string): Promise<number> {
  const { rows: [{ n }] } = await admin.query(
    `SELECT count(*)::int AS n FROM information_schema.columns
     WHERE table_schema = $1 AND table_name || '.' || column_name = ANY($2)`,
    [schema, QUEUE_ADDED_COLUMNS.map((c) => `${c.table}.${c.column}`)],
  );
  return n as number;
}

/** The schema's indexes, but for primary keys. */
async function indexes(admin: PgClient, schema: string): Promise<string[]> {
  const { rows } = await admin.query(
    "SELECT indexname FROM pg_indexes WHERE schemaname = $1 AND indexname NOT LIKE '%_pkey' ORDER BY 1",
    [schema],
  );
  return rows.map((r) => (r as { indexname: string }).indexname);
}

const LOOKS = [["queue", "status"], ["queue", "list", "q"], ["turn", "status"]];

Deno.test({
  name:
    "a look at an earlier coord's tables alters nothing and says what is missing and who upgrades",
  ignore,
  async fn() {
    await withEarlierSchema(
      withoutAddedColumns,
      async ({ schema, admin, owner, reader, ownerRole }) => {
        // The owner's look, which may alter, and the dashboard's role, which may not: neither does.
        for (const flags of [reader, owner]) {
          for (const look of LOOKS) {
            const r = await runCoord([...look, ...flags]);
            assert.equal(r.code, 69, `${look.join(" ")}: ${r.stderr}`);
            const lines = r.stderr.trim().split("\n");
            assert.equal(lines.length, 1, r.stderr);
            assert.match(
              lines[0],
              new RegExp(
                `schema "${schema}" is an earlier coord's \\(columns coord_queue_job\\.progress, ` +
                  `coord_queue_job\\.priority, coord_queue_job\\.due, … missing; indexes ` +
                  `[^)]* missing\\), which a look ` +
                  `leaves as it is — run coord doctor \\(or any coord command that writes\\) once ` +
                  `as ${ownerRole} to upgrade it$`,
              ),
            );
            assert.doesNotMatch(r.stderr, /GRANT CREATE/);
          }
        }
        // The dashboard's console, too: it stops at once, saying so, instead of serving errors.
        const ui = await runCoord(["ui", "--read-only", "--listen", "127.0.0.1:0", ...reader]);
        assert.equal(ui.code, 69, ui.stderr);
        assert.match(ui.stderr, /which a look leaves as it is — run coord doctor/);
        assert.equal(await addedColumns(admin, schema), 0, "no column added by a look");
      },
    );
  },
});

Deno.test({
  name: "a look at tables whose indexes an earlier coord kept reads them as they are",
  ignore,
  async fn() {
    const olderIndexes = async (admin: PgClient, schema: string) => {
      const s = schemaIdentifier(schema);
      await admin.query(`DROP INDEX ${s}.coord_queue_job_upcoming`);
      for (const name of QUEUE_RETIRED_INDEXES) {
        await admin.query(`CREATE INDEX ${name} ON ${s}.coord_queue_job (namespace, queue)`);
      }
    };
    await withEarlierSchema(olderIndexes, async ({ schema, admin, owner, reader }) => {
      const before = await indexes(admin, schema);
      for (const flags of [reader, owner]) {
        for (const look of LOOKS) {
          const r = await runCoord([...look, ...flags]);
          assert.equal(r.code, 0, `${look.join(" ")}: ${r.stderr}`);
        }
      }
      const listed = await runCoord(["queue", "list", "q", "--json", ...reader]);
      assert.match(listed.stdout, /"q\/j1"/);
      assert.deepEqual(await indexes(admin, schema), before, "no index made or dropped by a look");
    });
  },
});

Deno.test({
  name: "a writer that does not own an earlier coord's tables is told their owner upgrades them",
  ignore,
  async fn() {
    await withEarlierSchema(
      withoutAddedColumns,
      async ({ schema, admin, owner, worker, reader, ownerRole }) => {
        for (
          const write of [
            ["queue", "put", "q", "--id", "j2"],
            ["lock", "run", "r"],
          ]
        ) {
          const r = await runCoord([...write, ...worker, "--", "true"]);
          assert.equal(r.code, 69, `${write.join(" ")}: ${r.stderr}`);
          const lines = r.stderr.trim().split("\n");
          assert.equal(lines.length, 1, r.stderr);
          assert.match(
            lines[0],
            new RegExp(
              `schema "${schema}" is an earlier coord's and needs an upgrade \\(columns ` +
                `coord_queue_job\\.progress, .* missing; indexes .* missing\\) that only the owner ` +
                `of its tables, ${ownerRole}, may make, not user coord_worker_[0-9a-f]+ — run coord ` +
                `doctor \\(or any coord command that writes\\) once as ${ownerRole} to upgrade it, ` +
                `then run this again$`,
            ),
          );
          assert.doesNotMatch(r.stderr, /GRANT CREATE/);
        }
        // The console offers no look where a look cannot read the tables either.
        const ui = await runCoord(["ui", "--listen", "127.0.0.1:0", ...worker]);
        assert.equal(ui.code, 69, ui.stderr);
        assert.match(ui.stderr, /then run this again\n$/);
        assert.equal(await addedColumns(admin, schema), 0);
        // What the message says to do does it: the owner's doctor upgrades, then both may go on.
        const doctor = await runCoord(["doctor", ...owner]);
        assert.equal(doctor.code, 0, doctor.stderr);
        assert.equal(await addedColumns(admin, schema), QUEUE_ADDED_COLUMNS.length);
        const put = await runCoord(["queue", "put", "q", "--id", "j2", ...worker, "--", "true"]);
        assert.equal(put.code, 0, put.stderr);
        const status = await runCoord(["queue", "status", "--json", ...reader]);
        assert.equal(status.code, 0, status.stderr);
      },
    );
  },
});

Deno.test({
  name:
    "a writer that does not own an earlier coord's tables is told their owner makes a missing one",
  ignore,
  async fn() {
    // An older coord never made it (or it was dropped); the owner's other tables are there.
    const withoutSchedules = async (admin: PgClient, schema: string) => {
      await admin.query(`DROP TABLE ${schemaIdentifier(schema)}.coord_schedule`);
    };
    await withEarlierSchema(
      withoutSchedules,
      async ({ schema, admin, owner, worker, ownerRole }) => {
        const scheduleOwner = async () => {
          const { rows } = await admin.query(
            "SELECT tableowner FROM pg_tables WHERE schemaname = $1 AND tablename = 'coord_schedule'",
            [schema],
          );
          return (rows[0] as { tableowner: string } | undefined)?.tableowner;
        };
        const r = await runCoord(["queue", "put", "q", "--id", "j2", ...worker, "--", "true"]);
        assert.equal(r.code, 69, r.stderr);
        const lines = r.stderr.trim().split("\n");
        assert.equal(lines.length, 1, r.stderr);
        assert.match(
          lines[0],
          new RegExp(
            `schema "${schema}" is an earlier coord's and needs an upgrade \\(tables ` +
              `coord_schedule missing\\) that only the owner of its tables, ${ownerRole}, may ` +
              `make, not user coord_worker_[0-9a-f]+ — run coord doctor \\(or any coord command ` +
              `that writes\\) once as ${ownerRole} to upgrade it, then run this again$`,
          ),
        );
        assert.equal(await scheduleOwner(), undefined, "no table made by the worker");
        // The owner makes it, and his default privileges give the worker its grants.
        const doctor = await runCoord(["doctor", ...owner]);
        assert.equal(doctor.code, 0, doctor.stderr);
        assert.equal(await scheduleOwner(), ownerRole);
        const put = await runCoord(["queue", "put", "q", "--id", "j2", ...worker, "--", "true"]);
        assert.equal(put.code, 0, put.stderr);
      },
    );
  },
});

Deno.test({
  name: "an older coord's schema version, or none, is raised by a writer that neither owns the " +
    "tables nor may create in their schema, and left by a look",
  ignore,
  async fn() {
    // Each as a coord that knows version 1 may leave it: its tables are today's (2 changed none).
    const leftovers = [
      { what: "1", leave: "UPDATE %s.coord_meta SET value = '1' WHERE key = 'schema_version'" },
      { what: "none", leave: "DELETE FROM %s.coord_meta WHERE key = 'schema_version'" },
    ];
    const leave = (admin: PgClient, schema: string, sql: string) =>
      admin.query(sql.replace("%s", schemaIdentifier(schema)));
    // A worker granted USAGE alone on the schema: a version is a row, no object to create.
    const atVersion1 = async (
      admin: PgClient,
      schema: string,
      { owner, worker }: { owner: string; worker: string },
    ) => {
      await leave(admin, schema, leftovers[0].leave);
      await admin.query(
        `SET ROLE ${owner}; REVOKE CREATE ON SCHEMA ${schemaIdentifier(schema)} FROM ${worker}; ` +
          "RESET ROLE",
      );
    };
    await withEarlierSchema(atVersion1, async ({ schema, admin, worker, reader }) => {
      const version = async () => {
        const { rows: [row] } = await admin.query(
          `SELECT value FROM ${schemaIdentifier(schema)}.coord_meta WHERE key = 'schema_version'`,
        );
        return (row as { value: string } | undefined)?.value;
      };
      for (const [i, { what, leave: sql }] of leftovers.entries()) {
        if (i > 0) await leave(admin, schema, sql);
        const left = await version();
        for (const look of LOOKS) {
          const r = await runCoord([...look, ...reader]);
          assert.equal(r.code, 0, `${what}: ${look.join(" ")}: ${r.stderr}`);
        }
        assert.equal(await version(), left, `${what}: a look writes nothing`);
        // Raising the version writes a row of coord_meta, which the worker's grants allow: no
        // owner needed, nor CREATE on the schema, as no table changes.
        const id = `j${i + 2}`;
        const put = await runCoord(["queue", "put", "q", "--id", id, ...worker, "--", "true"]);
        assert.equal(put.code, 0, `${what}: ${put.stderr}`);
        assert.equal(await version(), "2", what);
        const listed = await runCoord(["queue", "list", "q", "--json", ...reader]);
        assert.match(listed.stdout, new RegExp(`"q/${id}"`));
      }
    });
  },
});

Deno.test({
  name: "the owner a writer is sent to is named as an identifier",
  ignore,
  async fn() {
    const id = crypto.randomUUID().slice(0, 8);
    const other = `Own ${id}`;
    // The tables, which lack the columns, belong to a role whose name needs quotes.
    const givenAway = async (admin: PgClient, schema: string) => {
      await withoutAddedColumns(admin, schema);
      await admin.query(`CREATE ROLE "${other}"`);
      const { rows } = await admin.query(
        "SELECT tablename FROM pg_tables WHERE schemaname = $1",
        [schema],
      );
      for (const { tablename } of rows as { tablename: string }[]) {
        await admin.query(
          `ALTER TABLE ${schemaIdentifier(schema)}.${tablename} OWNER TO "${other}"`,
        );
      }
    };
    try {
      await withEarlierSchema(givenAway, async ({ worker }) => {
        const r = await runCoord(["queue", "put", "q", "--id", "j2", ...worker, "--", "true"]);
        assert.equal(r.code, 69, r.stderr);
        assert.match(
          r.stderr,
          new RegExp(
            `that only the owner of its tables, "${other}", may make, not user ` +
              `coord_worker_[0-9a-f]+ — run coord doctor \\(or any coord command that writes\\) ` +
              `once as "${other}" to upgrade it, then run this again\n$`,
          ),
        );
      });
    } finally {
      const admin = await openClient(url!);
      try {
        await admin.query(`DROP ROLE IF EXISTS "${other}"`);
      } finally {
        await admin.end();
      }
    }
  },
});
