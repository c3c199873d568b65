/** What the CLI does with `postgres://` URLs that are wrong, unreachable or refused. */

import assert from "node:assert/strict";
import { runCoord, spawnCoord } from "./support/cli.ts";
import { guarded } from "./support/wait.ts";
import { assertJobsRefused } from "./support/sql.ts";
import { freePort } from "./support/host.ts";
import { silentServer } from "./support/silent_server.ts";
import { sharedPostgresSocketDir, sharedPostgresUrl } from "./support/postgres_shared.ts";
import { startUi } from "./ui_support.ts";
import { PASSWORD_ROLE, PASSWORD_ROLE_SECRET } from "./support/postgres_server.ts";

const url = await sharedPostgresUrl();
const ignore = url === undefined;
const port = url ? new URL(url).port : "";
const passwordUrl = (password: string) =>
  `postgres://${PASSWORD_ROLE}:${password}@127.0.0.1:${port}/coord`;
const oneLine = (text: string) => text.trim().split("\n");
const socketDir = await sharedPostgresSocketDir();

Deno.test("a malformed postgres URL exits 64 with one line, the password masked", async () => {
  for (
    const bad of [
      "postgres://u:hunter2@db:99999/app",
      "postgresql://u:hunter2@db/app?sslmode=sometimes",
      "postgres://db/app?password=hunter2",
      "postgres://u:hunter2@a:5432,b:5432/app",
      // decodeURIComponent threw, and coord exited 70.
      "postgres://u:hunter2%ZZ@db/app",
      "redis://u:hunter2%ZZ@db:6379",
      "postgres://u:hunter2@db/app%",
    ]
  ) {
    const r = await runCoord(["doctor", "--url", bad]);
    assert.equal(r.code, 64, `${bad}: ${r.stderr}`);
    assert.equal(oneLine(r.stderr).length, 1, r.stderr);
    assert.doesNotMatch(r.stderr + r.stdout, /hunter2/);
  }
});

Deno.test("a postgres port nobody listens on exits 69", async () => {
  const closedPort = freePort();
  const r = await runCoord(["doctor", "--url", `postgres://coord@127.0.0.1:${closedPort}/coord`]);
  assert.equal(r.code, 69, r.stderr);
  assert.match(oneLine(r.stderr)[0], /cannot reach postgres:\/\/coord@127\.0\.0\.1:\d+\/coord/);
});

Deno.test("a postgres server that never answers exits 69 after --connect-timeout", async () => {
  // Accepts the connection and says nothing: only the connect timeout ends the wait.
  await using silent = silentServer();
  const r = await runCoord(["doctor", "--connect-timeout", "1", "--url", silent.url("postgres")]);
  assert.equal(r.code, 69, r.stderr);
  assert.match(oneLine(r.stderr)[0], /cannot reach .*timeout/i);
});

Deno.test({
  name: "a wrong postgres password exits 69 with the URL masked",
  ignore,
  async fn() {
    const inUrl = await runCoord(["doctor", "--url", passwordUrl("wrong-pw")]);
    assert.equal(inUrl.code, 69, inUrl.stderr);
    assert.match(
      oneLine(inUrl.stderr)[0],
      new RegExp(
        `^coord: cannot log in to postgres://${PASSWORD_ROLE}:\\*\\*\\*@\\S+: password ` +
          `authentication failed for user "${PASSWORD_ROLE}" — check the user and the password`,
      ),
    );
    assert.doesNotMatch(inUrl.stderr + inUrl.stdout, /wrong-pw/);

    const plainUrl = `postgres://${PASSWORD_ROLE}@127.0.0.1:${port}/coord`;
    for (const variable of ["COORD_PASSWORD", "PGPASSWORD"]) {
      const fromEnv = await runCoord(["doctor", "--url", plainUrl], {
        env: { [variable]: "wrong-pw" },
      });
      assert.equal(fromEnv.code, 69, `${variable}: ${fromEnv.stderr}`);
      assert.doesNotMatch(fromEnv.stderr + fromEnv.stdout, /wrong-pw/);
    }
  },
});

Deno.test({
  name: "a postgres database that does not exist exits 69 naming it",
  ignore,
  async fn() {
    const r = await runCoord(["doctor", "--url", `postgres://coord@127.0.0.1:${port}/nosuchdb`]);
    assert.equal(r.code, 69, r.stderr);
    assert.equal(oneLine(r.stderr).length, 1, r.stderr);
    assert.match(
      r.stderr,
      /^coord: cannot use postgres:\/\/\S+: database "nosuchdb" does not exist — check the database in the URL/,
    );
  },
});

Deno.test({
  name: "no password where the server asks for one exits 69 saying where to give it",
  ignore,
  async fn() {
    // node-postgres's own error: coord took it for a bug and exited 70.
    await using coord = spawnCoord(
      ["doctor", "--url", `postgres://${PASSWORD_ROLE}@127.0.0.1:${port}/coord`],
      { env: { COORD_PASSWORD: "", PGPASSWORD: "" } },
    );
    await coord.stderrLine(/asks for a password/);
    // Then it stayed alive with the connection open until the server's authentication_timeout
    // (60 s): well before that, it must have exited.
    const r = await guarded(coord.result, "exit after the error line", 30_000);
    assert.equal(r.code, 69, r.stderr);
    assert.equal(oneLine(r.stderr).length, 1, r.stderr);
    assert.match(r.stderr, /asks for a password .* COORD_PASSWORD or PGPASSWORD/);
  },
});

Deno.test({
  name: "sslmode=require against a server without TLS exits 69",
  ignore,
  async fn() {
    for (const sslmode of ["require", "verify-full"]) {
      const r = await runCoord(["doctor", "--url", `${url}?sslmode=${sslmode}`]);
      assert.equal(r.code, 69, `${sslmode}: ${r.stderr}`);
      assert.equal(oneLine(r.stderr).length, 1, r.stderr);
      assert.match(r.stderr, /cannot reach .*sslmode/);
    }
  },
});

Deno.test({
  name: "the right postgres password, in the URL or the environment, connects",
  ignore,
  async fn() {
    // Its own namespace: a schema another role created is not its to use (see below).
    const own = ["--namespace", `pw${crypto.randomUUID().slice(0, 8)}`];
    const inUrl = await runCoord(["doctor", "--url", passwordUrl(PASSWORD_ROLE_SECRET), ...own]);
    assert.equal(inUrl.code, 0, inUrl.stderr);
    assert.doesNotMatch(inUrl.stdout + inUrl.stderr, new RegExp(PASSWORD_ROLE_SECRET));
    const plainUrl = `postgres://${PASSWORD_ROLE}@127.0.0.1:${port}/coord`;
    for (const variable of ["COORD_PASSWORD", "PGPASSWORD"]) {
      const r = await runCoord(["doctor", "--url", plainUrl, ...own], {
        env: { [variable]: PASSWORD_ROLE_SECRET },
      });
      assert.equal(r.code, 0, `${variable}: ${r.stderr}`);
    }
  },
});

Deno.test({
  name: "a postgres Unix socket, in the host part or as ?host=, reaches the server as TCP does",
  ignore: ignore || socketDir === undefined,
  async fn() {
    const namespace = `s${crypto.randomUUID().slice(0, 8)}`;
    const ns = ["--namespace", namespace];
    // libpq's two spellings: the directory %-encoded as the host, or given as a parameter.
    const inHost = `postgres://coord@${encodeURIComponent(socketDir!)}:${port}/coord`;
    const inQuery = `postgres://coord@/coord?host=${socketDir}&port=${port}`;
    const put = await runCoord(["queue", "put", "sock", "--handler", "h", "--url", inHost, ...ns]);
    assert.equal(put.code, 0, put.stderr);
    const id = put.stdout.trim();
    // The same server: the job put through the socket is there over TCP.
    const list = await runCoord(["queue", "list", "sock", "--json", "--url", url!, ...ns]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(id));
    const doctor = await runCoord(["doctor", "--json", "--url", inQuery, ...ns]);
    assert.equal(doctor.code, 0, doctor.stderr);
    assert.equal(JSON.parse(doctor.stdout).details.socket, `${socketDir}/.s.PGSQL.${port}`);
    // A socket nobody listens on: the file named, and the password still masked.
    const closed = `postgres://coord:hunter2@${encodeURIComponent(socketDir!)}:${freePort()}/coord`;
    const down = await runCoord(["doctor", "--url", closed]);
    assert.equal(down.code, 69, down.stderr);
    assert.match(
      oneLine(down.stderr)[0],
      /cannot reach postgres:\/\/coord:\*\*\*@.*\.s\.PGSQL\.\d+/,
    );
    assert.doesNotMatch(down.stderr, /hunter2/);
  },
});

Deno.test({
  name: "coord doctor on postgres shows the server, its schema version and foreign tables",
  ignore,
  async fn() {
    const namespace = `t${crypto.randomUUID().slice(0, 8)}`;
    const r = await runCoord(["doctor", "--url", url!, "--namespace", namespace, "--json"]);
    assert.equal(r.code, 0, r.stderr);
    const report = JSON.parse(r.stdout);
    assert.equal(report.backend, "postgres");
    assert.equal(report.engine, "postgresql");
    assert.match(report.version, /^\d+\.\d+/);
    assert.equal(report.details.schema, namespace);
    // Nothing stored there yet: doctor looks without creating the schema.
    assert.equal(report.details.schema_version, "none");
    assert.equal(report.stored, false);
    assert.equal(report.details.wake_ups, "listen/notify");
    assert.ok(report.rtt_ms >= 0 && Number.isFinite(report.clock_offset_ms));
    assert.deepEqual(report.foreign, []);

    const { connect } = await import("../lib/backend/connect.ts");
    const { PostgresBackend } = await import("../lib/backend/postgres/backend.ts");
    await using backend = await connect({ url, namespace, env: {} });
    assert.ok(backend instanceof PostgresBackend);
    await backend.sql.write((tx) => tx.run("CREATE TABLE app_users (id INTEGER)"));
    const text = await runCoord(["doctor", "--url", url!, "--namespace", namespace]);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /engine +postgresql \d+\.\d+ \(.*schema_version 2/);
    assert.doesNotMatch(text.stdout, /^stored/m);
    assert.match(text.stdout, /^foreign +1 table\n {2}table app_users: not a coord table$/m);
    assert.match(text.stderr, /warning: 1 table in namespace "t[0-9a-f]+" holds data/);
    await backend.sql.write((tx) => tx.run("CREATE TABLE app_orders (id INTEGER)"));
    const two = await runCoord(["doctor", "--url", url!, "--namespace", namespace]);
    assert.match(two.stdout, /^foreign +2 tables$/m, "it says what it counts");
    assert.match(two.stderr, /warning: 2 tables in namespace "t[0-9a-f]+" hold data/);
    // Named like coord's, and none of them (another program's, a later release's).
    await backend.sql.write((tx) => tx.run("CREATE TABLE coord_later (id INTEGER)"));
    const three = await runCoord(["doctor", "--url", url!, "--namespace", namespace]);
    assert.match(
      three.stdout,
      /^foreign +3 tables\n(.*\n)* {2}table coord_later: not a coord table$/m,
    );
  },
});

Deno.test({
  name: "coord doctor on postgres finds every job coord queue show refuses, and only those",
  ignore,
  async fn() {
    const namespace = `t${crypto.randomUUID().slice(0, 8)}`;
    const env = { COORD_URL: url!, COORD_NAMESPACE: namespace };
    const put = await runCoord(["queue", "put", "q", "--from", "-"], {
      env,
      stdin: '{"handler": "h"}\n'.repeat(5),
    });
    assert.equal(put.code, 0, put.stderr);
    // Text columns take any text: none of this is what coord writes. Job 5 is left as it was.
    const planted = [["result", "garbage"], ["spec", "[1]"], ["progress", "nope"], [
      "inputs",
      "{}",
    ]];
    const { connect } = await import("../lib/backend/connect.ts");
    const { PostgresBackend } = await import("../lib/backend/postgres/backend.ts");
    {
      await using backend = await connect({ url, namespace, env: {} });
      assert.ok(backend instanceof PostgresBackend);
      for (const [i, [column, value]] of planted.entries()) {
        await backend.sql.write((tx) =>
          tx.run(`UPDATE coord_queue_job SET ${column} = ? WHERE id = ?`, value, String(i + 1))
        );
      }
    }
    const r = await assertJobsRefused(env, planted.length);
    assert.match(r.stderr, /warning: 1 table in namespace "t[0-9a-f]+" holds data/);
  },
});

Deno.test({
  name: "a namespace naming a schema Postgres keeps (pg_…, information_schema) exits 64",
  ignore,
  async fn() {
    // pg_temp exited 70 (Postgres' "unacceptable schema name"); information_schema took coord's
    // tables into the catalog.
    for (const namespace of ["pg_temp", "pg_catalog", "information_schema"]) {
      const r = await runCoord(
        ["queue", "put", "q", "--handler", "ok", "--url", url!, "--namespace", namespace],
      );
      assert.equal(r.code, 64, `${namespace}: ${r.stderr}`);
      assert.equal(oneLine(r.stderr).length, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`namespace "${namespace}" names a schema Postgres keeps`));
    }
    const { connect } = await import("../lib/backend/connect.ts");
    await using backend = await connect({ url, namespace: `t${crypto.randomUUID().slice(0, 8)}` });
    const { sqlValue } = await import("./support/sql.ts");
    const tables = await sqlValue(
      backend,
      `SELECT count(*) FROM information_schema.tables
       WHERE table_schema = 'information_schema' AND table_name LIKE 'coord%'`,
    );
    assert.equal(Number(tables), 0, "no coord table in information_schema");
  },
});

/** Commands that use a schema: each creates coord's tables in it on first use. */
const schemaUsers = (target: string[]) => [
  ["doctor", ...target],
  ["lock", "run", "x", ...target, "--", "true"],
  ["barrier", "b", "1", ...target],
];

Deno.test({
  name:
    "a schema holding another program's tables, types or functions exits 65, and coord adds nothing to it",
  ignore,
  async fn() {
    const { connect } = await import("../lib/backend/connect.ts");
    const { PostgresBackend } = await import("../lib/backend/postgres/backend.ts");
    await using backend = await connect({ url, namespace: "coord", env: {} });
    assert.ok(backend instanceof PostgresBackend);
    const tag = crypto.randomUUID().slice(0, 8);
    // An application's schema, as `public` usually is; and one with a table named like coord's
    // (coord read it as its own, and exited 70 at its first query).
    // And one holding only a type named like a coord table: coord's tables were made beside it,
    // all but that one, and its first step on it exited 70.
    // And ones holding only code, no table: taken for empty, coord made its tables beside it.
    const made: Record<string, [kind: string, sql: (schema: string, name: string) => string]> = {
      app_users: ["table", (schema, name) => `CREATE TABLE ${schema}.${name} (id INTEGER)`],
      coord_lock: ["table", (schema, name) => `CREATE TABLE ${schema}.${name} (id INTEGER)`],
      // A table shaped as coord's own record of its version, but holding none, beside none of
      // coord's other tables: a schema lacking only the version is coord's when they are all there.
      coord_meta: [
        "table",
        (schema, name) => `CREATE TABLE ${schema}.${name} (key TEXT PRIMARY KEY, value TEXT)`,
      ],
      coord_schedule: ["type", (schema, name) => `CREATE TYPE ${schema}.${name} AS (id INTEGER)`],
      coord_queue_job: ["type", (schema, name) => `CREATE DOMAIN ${schema}.${name} AS INTEGER`],
      app_total: [
        "function",
        (schema, name) =>
          `CREATE FUNCTION ${schema}.${name}() RETURNS INTEGER LANGUAGE SQL AS 'SELECT 1'`,
      ],
      app_tidy: [
        "procedure",
        (schema, name) => `CREATE PROCEDURE ${schema}.${name}() LANGUAGE SQL AS 'SELECT 1'`,
      ],
    };
    const schemas = Object.fromEntries(
      Object.keys(made).map((name, i) => [`s${i}${tag}`, name]),
    );
    for (const [schema, name] of Object.entries(schemas)) {
      await backend.sql.write(async (tx) => {
        await tx.run(`CREATE SCHEMA ${schema}`);
        await tx.run(made[name][1](schema, name));
      });
    }
    /** The names of what `schema` holds (an index comes with its table). */
    const contents = (schema: string) =>
      backend.sql.read((tx) =>
        tx.all<{ name: string }>(
          `SELECT relname AS name FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
           WHERE n.nspname = ? AND relkind <> 'i'
           UNION ALL SELECT typname FROM pg_type t JOIN pg_namespace n ON n.oid = t.typnamespace
           WHERE n.nspname = ?
           UNION ALL SELECT proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
           WHERE n.nspname = ? ORDER BY 1`,
          schema,
          schema,
          schema,
        )
      );
    for (const [schema, name] of Object.entries(schemas)) {
      const before = await contents(schema);
      for (const args of schemaUsers(["--url", url!, "--namespace", schema])) {
        const r = await runCoord(args);
        assert.equal(r.code, 65, `${args[0]} ${schema}: ${r.stderr}`);
        assert.equal(oneLine(r.stderr).length, 1, r.stderr);
        assert.match(
          r.stderr,
          new RegExp(
            `schema "${schema}" holds another program's objects \\(${
              made[name][0]
            } ${name}\\) .* another --namespace`,
          ),
        );
      }
      assert.deepEqual(await contents(schema), before, "the schema is left as it was");
    }
  },
});

// Taken for coord's by its tables' names alone, where the version's row was gone: a write
// exited 70 ("column namespace does not exist").
Deno.test({
  name:
    "a schema holding every coord table's name, but keyed by columns not coord's, and no version exits 65, left as it is",
  ignore,
  async fn() {
    const schema = `k${crypto.randomUUID().slice(0, 8)}`;
    const made = await runCoord(["barrier", "b", "1", "--url", url!, "--namespace", schema]);
    assert.equal(made.code, 0, made.stderr);
    const { connect } = await import("../lib/backend/connect.ts");
    const { PostgresBackend } = await import("../lib/backend/postgres/backend.ts");
    await using backend = await connect({ url, namespace: schema, env: {} });
    assert.ok(backend instanceof PostgresBackend);
    // coord_meta as coord's, without the version; every other table of coord's name, another's.
    await backend.sql.write(async (tx) => {
      const tables = await tx.all<{ name: string }>(
        `SELECT tablename AS name FROM pg_tables WHERE schemaname = ? AND tablename <> 'coord_meta'`,
        schema,
      );
      for (const { name } of tables) {
        await tx.run(`DROP TABLE ${schema}.${name}`);
        await tx.run(`CREATE TABLE ${schema}.${name} (id INTEGER PRIMARY KEY)`);
      }
      await tx.run(`DELETE FROM ${schema}.coord_meta`);
    });
    const contents = () =>
      backend.sql.read((tx) =>
        tx.all(
          `SELECT c.relname, a.attname FROM pg_class c
           JOIN pg_namespace n ON n.oid = c.relnamespace JOIN pg_attribute a ON a.attrelid = c.oid
           WHERE n.nspname = ? AND a.attnum > 0 ORDER BY 1, 2`,
          schema,
        )
      );
    const before = await contents();
    for (const args of schemaUsers(["--url", url!, "--namespace", schema])) {
      const r = await runCoord(args);
      assert.equal(r.code, 65, `${args[0]}: ${r.stderr}`);
      assert.equal(oneLine(r.stderr).length, 1, r.stderr);
      assert.match(r.stderr, new RegExp(`schema "${schema}" holds another program's objects`));
    }
    assert.deepEqual(await contents(), before, "the schema is left as it was");
  },
});

Deno.test({
  name: "another role granted what README says uses every primitive in the namespace",
  ignore,
  async fn() {
    const schema = `t${crypto.randomUUID().slice(0, 8)}`;
    const owner = await runCoord(["barrier", "b", "1", "--url", url!, "--namespace", schema]);
    assert.equal(owner.code, 0, owner.stderr);
    const { connect } = await import("../lib/backend/connect.ts");
    const { PostgresBackend } = await import("../lib/backend/postgres/backend.ts");
    await using backend = await connect({ url, namespace: schema, env: {} });
    assert.ok(backend instanceof PostgresBackend);
    const target = ["--url", passwordUrl(PASSWORD_ROLE_SECRET), "--namespace", schema];
    const refusal = async (grant: RegExp) => {
      const refused = await runCoord(["lock", "run", "x", ...target, "--", "true"]);
      assert.equal(refused.code, 69, refused.stderr);
      assert.equal(oneLine(refused.stderr).length, 1, refused.stderr);
      assert.match(refused.stderr, grant);
    };
    // Without CREATE on the database, as a role that only uses another's namespace: it was told
    // to get that (CREATE SCHEMA IF NOT EXISTS asks for it even where the schema exists).
    await backend.sql.write((tx) =>
      tx.run(`REVOKE CREATE ON DATABASE coord FROM ${PASSWORD_ROLE}`)
    );
    try {
      await refusal(
        /lacks USAGE and CREATE on schema "t[0-9a-f]+" .* GRANT USAGE, CREATE ON SCHEMA "t/,
      );
      // README's grants, word for word: the schema's alone are not enough.
      await backend.sql.write((tx) =>
        tx.run(`GRANT USAGE, CREATE ON SCHEMA ${schema} TO ${PASSWORD_ROLE}`)
      );
      await refusal(
        /may not use tables coord_barrier, .* GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "t[0-9a-f]+" TO coord_pw/,
      );
      await backend.sql.write((tx) =>
        tx.run(
          `GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA ${schema} TO ${PASSWORD_ROLE}`,
        )
      );
      await useEveryPrimitive(target);
    } finally {
      await backend.sql.write((tx) => tx.run(`GRANT CREATE ON DATABASE coord TO ${PASSWORD_ROLE}`));
    }
  },
});

/** Runs a command of every primitive with `target`'s backend flags: each must exit 0. */
async function useEveryPrimitive(target: string[]) {
  for (
    const args of [
      ["doctor", ...target],
      ["barrier", "b", "1", ...target],
      ["lock", "run", "x", ...target, "--", "true"],
      ["queue", "put", "q", "--id", "one", ...target, "--", "true"],
      ["queue", "work", "q", "--drain", "--allow-commands", ...target],
      ["schedule", "status", ...target],
    ]
  ) {
    const r = await runCoord(args);
    assert.equal(r.code, 0, `${args.slice(0, 2).join(" ")}: ${r.stderr}`);
  }
}

Deno.test({
  name: "a schema another role created exits 69 naming the grant, and stays as it was",
  ignore,
  async fn() {
    const namespace = ["--namespace", `t${crypto.randomUUID().slice(0, 8)}`];
    const owner = await runCoord(["barrier", "b", "1", "--url", url!, ...namespace]);
    assert.equal(owner.code, 0, owner.stderr);
    const other = await runCoord([
      "doctor",
      "--url",
      passwordUrl(PASSWORD_ROLE_SECRET),
      ...namespace,
    ]);
    assert.equal(other.code, 69, other.stderr);
    assert.equal(oneLine(other.stderr).length, 1, other.stderr);
    assert.match(
      other.stderr,
      /user coord_pw lacks USAGE and CREATE on schema "t[0-9a-f]+" \(owned by coord\), .* GRANT USAGE, CREATE ON SCHEMA "t[0-9a-f]+" TO coord_pw,/,
    );
    const status = await runCoord([
      "barrier",
      "status",
      "b",
      "--json",
      "--url",
      url!,
      ...namespace,
    ]);
    assert.equal(JSON.parse(status.stdout).last_release.generation, 1);
  },
});

Deno.test({
  name: "a role that may use a schema but not create in it is told it lacks CREATE, with the GRANT",
  ignore,
  async fn() {
    // As `public` is to every role but the database's owner since Postgres 15: it was told that
    // another role had created the schema, and to get USAGE it already had.
    const schema = `t${crypto.randomUUID().slice(0, 8)}`;
    const { connect } = await import("../lib/backend/connect.ts");
    const { PostgresBackend } = await import("../lib/backend/postgres/backend.ts");
    await using backend = await connect({ url, namespace: "coord", env: {} });
    assert.ok(backend instanceof PostgresBackend);
    await backend.sql.write(async (tx) => {
      await tx.run(`CREATE SCHEMA ${schema}`);
      await tx.run(`GRANT USAGE ON SCHEMA ${schema} TO ${PASSWORD_ROLE}`);
    });
    const target = ["--url", passwordUrl(PASSWORD_ROLE_SECRET), "--namespace", schema];
    const lock = ["lock", "run", "x", ...target, "--", "true"];
    const refused = await runCoord(lock);
    assert.equal(refused.code, 69, refused.stderr);
    assert.equal(oneLine(refused.stderr).length, 1, refused.stderr);
    assert.match(
      refused.stderr,
      new RegExp(
        `: user ${PASSWORD_ROLE} lacks CREATE on schema "${schema}" \\(owned by coord\\), .* ` +
          `— GRANT CREATE ON SCHEMA "${schema}" TO ${PASSWORD_ROLE}, or use another --namespace$`,
        "m",
      ),
    );
    const { sqlValue } = await import("./support/sql.ts");
    const count = `SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname = ?`;
    assert.equal(Number(await sqlValue(backend, count, schema)), 0, "nothing made in the schema");
    // The grant named is the one missing.
    await backend.sql.write((tx) => tx.run(`GRANT CREATE ON SCHEMA ${schema} TO ${PASSWORD_ROLE}`));
    const granted = await runCoord(lock);
    assert.equal(granted.code, 0, granted.stderr);
  },
});

Deno.test({
  name: "doctor where nothing is stored yet exits 69 when the first write would lack CREATE",
  ignore,
  async fn() {
    // It said "stored nothing yet", exit 0, and the first write then failed for want of a grant.
    await withRole("coord_look", async ({ role, schema, admin }) => {
      const target = ["--url", `postgres://${role}@127.0.0.1:${port}/coord`, "--namespace", schema];
      const refused = async (args: string[], grant: string) => {
        const r = await runCoord(args);
        assert.equal(r.code, 69, `${args[0]}: ${r.stderr}`);
        assert.equal(oneLine(r.stderr).length, 1, r.stderr);
        assert.match(r.stderr, new RegExp(`: user ${role} lacks ${grant}$`, "m"), args[0]);
      };
      // No schema: creating it at the first write needs CREATE on the database. Doctor says so
      // in the first write's words, and creates nothing.
      const onDatabase = `CREATE on database "coord" \\(owned by coord\\), which coord needs ` +
        `to create schema "${schema}" at its first write — GRANT CREATE ON DATABASE coord TO ` +
        `${role}, or create the schema for it`;
      await refused(["doctor", ...target], onDatabase);
      // The report comes first: what the role can see.
      assert.match((await runCoord(["doctor", ...target])).stdout, /^stored +nothing yet/m);
      await refused(["lock", "run", "x", ...target, "--", "true"], onDatabase);
      // The other looks read the empty store, as they rightly do.
      const status = await runCoord(["turn", "status", ...target]);
      assert.equal(status.code, 0, status.stderr);
      // An empty schema this role may use but not create in: CREATE on the schema.
      await admin(`CREATE SCHEMA ${schema}`);
      await admin(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
      await refused(
        ["doctor", ...target],
        `CREATE on schema "${schema}" \\(owned by coord\\), which coord needs to keep its ` +
          `tables there — GRANT CREATE ON SCHEMA "${schema}" TO ${role}, or use another --namespace`,
      );
      // Granted: nothing stored yet, and nothing wrong.
      await admin(`GRANT CREATE ON SCHEMA ${schema} TO ${role}`);
      const granted = await runCoord(["doctor", ...target]);
      assert.equal(granted.code, 0, granted.stderr);
      assert.match(granted.stdout, /^stored +nothing yet/m);
    });
  },
});

Deno.test({
  name: "a role granted only USAGE and SELECT may look (status, list), not write",
  ignore,
  async fn() {
    // Every look exited 69 asking for CREATE, then for INSERT, UPDATE and DELETE: a dashboard's
    // or a health check's role had to be given the right to write.
    await withRole("coord_ro", async ({ role, schema, admin }) => {
      const owner = ["--url", url!, "--namespace", schema];
      const put = await runCoord(["queue", "put", "q", ...owner, "--", "true"]);
      assert.equal(put.code, 0, put.stderr);
      assert.equal((await runCoord(["lock", "run", "r", ...owner, "--", "true"])).code, 0);
      await admin(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
      await admin(`GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
      const reader = ["--url", `postgres://${role}@127.0.0.1:${port}/coord`, "--namespace", schema];
      // Doctor checks for the commands that write: it names the grant, after the report (it
      // printed nothing else, so a dashboard's role seemed to need CREATE to be checked).
      const doctor = await runCoord(["doctor", ...reader]);
      assert.equal(doctor.code, 69, doctor.stderr);
      assert.match(doctor.stdout, /^engine +postgresql /m);
      assert.match(doctor.stdout, /^foreign +none$/m);
      assert.equal(oneLine(doctor.stderr).length, 1, doctor.stderr);
      assert.match(doctor.stderr, /lacks CREATE on schema|may not use tables/);
      // The console that writes says which one only looks.
      const ui = await runCoord(["ui", ...reader, "--listen", "127.0.0.1:0"]);
      assert.equal(ui.code, 69, ui.stderr);
      assert.match(ui.stderr, /; or only look: coord ui --read-only\n$/);
      for (
        const args of [
          ["queue", "status"],
          ["queue", "list", "q"],
          ["turn", "status"],
          ["barrier", "list"],
          ["schedule", "status"],
        ]
      ) {
        const r = await runCoord([...args, ...reader]);
        assert.equal(r.code, 0, `${args.join(" ")}: ${r.stderr}`);
      }
      const write = await runCoord(["lock", "run", "r", ...reader, "--", "true"]);
      assert.equal(write.code, 69, write.stderr);
      assert.match(write.stderr, /lacks CREATE on schema|may not use tables/);
    });
  },
});

Deno.test({
  name: "coord ui --read-only serves a role granted only USAGE and SELECT",
  ignore,
  async fn() {
    // The console opened the backend as a writer: it exited 69 asking for INSERT, UPDATE and
    // DELETE, so a dashboard's role had to be given the right to write to show the queues.
    await withRole("coord_ui", async ({ role, schema, admin }) => {
      const owner = ["--url", url!, "--namespace", schema];
      const put = await runCoord(["queue", "put", "q", "--id", "j1", ...owner, "--", "true"]);
      assert.equal(put.code, 0, put.stderr);
      await admin(`GRANT USAGE ON SCHEMA ${schema} TO ${role}`);
      await admin(`GRANT SELECT ON ALL TABLES IN SCHEMA ${schema} TO ${role}`);
      const reader = ["--url", `postgres://${role}@127.0.0.1:${port}/coord`, "--namespace", schema];
      await using ui = await startUi({}, ["--read-only", ...reader]);
      const response = await fetch(`${ui.root}queues/q/jobs/j1`);
      assert.equal(response.status, 200);
      assert.match(await response.text(), /j1/);
      for (const path of ["", "metrics", "health"]) {
        const page = await fetch(`${ui.root}${path}`);
        assert.equal(page.status, 200, `/${path}: ${await page.text()}`);
      }
    });
  },
});

/**
 * Runs `test` with a new login role (loopback logins are trusted, but for the password role's:
 * it needs none), a schema name of its own, and `admin` running SQL as the server's owner; then
 * drops the schema and the role.
 */
async function withRole(
  prefix: string,
  test: (
    made: { role: string; schema: string; admin: (sql: string) => Promise<void> },
  ) => Promise<void>,
): Promise<void> {
  const role = `${prefix}_${crypto.randomUUID().slice(0, 8)}`;
  const schema = `t${crypto.randomUUID().slice(0, 8)}`;
  const { connect } = await import("../lib/backend/connect.ts");
  const { PostgresBackend } = await import("../lib/backend/postgres/backend.ts");
  await using backend = await connect({ url, namespace: "coord", env: {} });
  assert.ok(backend instanceof PostgresBackend);
  const admin = (sql: string) => backend.sql.write((tx) => tx.run(sql));
  await admin(`CREATE ROLE ${role} LOGIN`);
  try {
    await test({ role, schema, admin });
  } finally {
    await admin(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await admin(`DROP OWNED BY ${role}`);
    await admin(`DROP ROLE ${role}`);
  }
}
