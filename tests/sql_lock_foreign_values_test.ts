/**
 * A lock's rows holding values of the right type that coord never writes there (a limit below
 * 1, a ticket beyond the counter, a lease that never ends: a hand-made UPDATE, another program)
 * are refused on both SQL engines — exit 65, one line naming the value — and left as they are.
 * They were acted on and overwritten.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { BACKENDS, freshNamespace } from "./support/backends.ts";
import { runCoord, spawnCoord } from "./support/cli.ts";
import { until } from "./support/wait.ts";
import { runSql, sqlRows } from "./support/sql.ts";

interface Plant {
  what: string;
  /** Run after one `coord lock run r`: counter 1, indicator 2, limit 1, no ticket. */
  sql: string[];
  table: string;
  column: string;
  shown: string;
  /** Only an enqueue reads the last token. */
  enqueueOnly?: boolean;
}

/** A ticket row of lock "r" in namespace `?`: ticket, started and its lease end given. */
const ticket = (number: number, started: number, expiresAt = "1e15") =>
  `INSERT INTO coord_lock_ticket VALUES (?, 'r', ${number}, 'them', 0, ${expiresAt}, NULL, ${started})`;

const PLANTS: Plant[] = [
  {
    what: "a limit below 1",
    sql: ["UPDATE coord_lock SET lim = -1 WHERE namespace = ?"],
    table: "coord_lock",
    column: "lim",
    shown: "-1",
  },
  {
    what: "a negative indicator",
    sql: ["UPDATE coord_lock SET indicator = -3 WHERE namespace = ?"],
    table: "coord_lock",
    column: "indicator",
    shown: "-3",
  },
  {
    what: "a negative ticket count",
    sql: ["UPDATE coord_lock_counter SET tickets = -7 WHERE namespace = ?"],
    table: "coord_lock_counter",
    column: "tickets",
    shown: "-7",
  },
  {
    what: "a ticket beyond the counter",
    sql: [ticket(5, 0)],
    table: "coord_lock_ticket",
    column: "ticket",
    shown: "5",
  },
  {
    what: "a ticket neither started nor not",
    sql: [ticket(1, 2)],
    table: "coord_lock_ticket",
    column: "started",
    shown: "2",
  },
  {
    what: "a lease that never ends",
    sql: [ticket(1, 0, "INFINITY")],
    table: "coord_lock_ticket",
    column: "expires_at",
    shown: "Infinity",
  },
  {
    // A number, but no clock's: it was taken as a lease, and the lock stuck for good.
    what: "a lease past any clock",
    sql: [ticket(1, 0, "1e300")],
    table: "coord_lock_ticket",
    column: "expires_at",
    shown: "1e+300",
  },
  {
    what: "a token below its ticket",
    sql: [ticket(1, 0), "INSERT INTO coord_lock_request VALUES (?, 'r', 1, 'theirs', 0)"],
    table: "coord_lock_request",
    column: "token",
    shown: "0",
  },
  {
    // Where the next ticket's request goes: the insert failed on the key, exit 70.
    what: "a request at the next ticket",
    sql: ["INSERT INTO coord_lock_request VALUES (?, 'r', 2, 'them', 2)"],
    table: "coord_lock_request",
    column: "ticket",
    shown: "2",
    enqueueOnly: true,
  },
  {
    what: "a last token below 1",
    sql: ["UPDATE coord_lock_token SET token = 0 WHERE namespace = ?"],
    table: "coord_lock_token",
    column: "token",
    shown: "0",
    enqueueOnly: true,
  },
  {
    // Its next would be written, then refused by every step: the lock stuck for good.
    what: "a last token with no safe one after it",
    sql: [`UPDATE coord_lock_token SET token = ${Number.MAX_SAFE_INTEGER} WHERE namespace = ?`],
    table: "coord_lock_token",
    column: "token",
    shown: String(Number.MAX_SAFE_INTEGER),
    enqueueOnly: true,
  },
];

/** How each engine spells an infinite number, for INFINITY in a plant's SQL. */
const INFINITY: Record<string, string> = { sqlite: "9e999", postgres: "'Infinity'" };

const LOCK_TABLES = [
  "coord_lock",
  "coord_lock_counter",
  "coord_lock_ticket",
  "coord_lock_request",
  "coord_lock_token",
  "coord_lock_event",
];

for (const backend of BACKENDS.filter((b) => b.label === "sqlite" || b.label === "postgres")) {
  for (const p of PLANTS) {
    Deno.test({
      name: `${p.what} in ${p.table}: coord lock run${
        p.enqueueOnly ? "" : " and turn status"
      } exit 65 and leave it (${backend.label})`,
      ignore: !backend.available,
      async fn() {
        await using target = await backend.use();
        const namespace = freshNamespace();
        const flags = ["--url", target.url, "--namespace", namespace];
        const first = await runCoord(["lock", "run", "r", ...flags, "--", "true"]);
        assert.equal(first.code, 0, first.stderr);
        await using db = await connect({ url: target.url, namespace, env: {} });
        for (const sql of p.sql) {
          await runSql(db, sql.replace("INFINITY", INFINITY[backend.label]), namespace);
        }
        const stored = async () =>
          JSON.stringify(
            await Promise.all(
              LOCK_TABLES.map((table) => sqlRows(db, `SELECT * FROM ${table} ORDER BY 1, 2, 3`)),
            ),
            (_, v) => typeof v === "number" && !Number.isFinite(v) ? String(v) : v,
          );
        const before = await stored();
        const commands = [["lock", "run", "r", "-n", ...flags, "--", "true"]];
        if (!p.enqueueOnly) commands.push(["turn", "status", "r", ...flags]);
        for (const args of commands) {
          const r = await runCoord(args);
          assert.equal(r.code, 65, `${args[0]}: ${r.stderr}`);
          assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
          assert.ok(
            r.stderr.includes(
              `lock "r": ${p.table} holds a row coord did not write (${p.column} = ${p.shown})`,
            ),
            r.stderr,
          );
        }
        assert.equal(await stored(), before, "the lock's rows are left as they were");
        if (!p.enqueueOnly) {
          // Doctor reads every lock as turn status does, and names the value.
          const doctor = await runCoord(["doctor", ...flags, "--json"]);
          const found = JSON.parse(doctor.stdout).foreign;
          assert.equal(found.length, 1, doctor.stdout);
          assert.equal(found[0].where, 'lock "r"');
          assert.ok(found[0].problem.includes(`(${p.column} = ${p.shown})`), found[0].problem);
        }
      },
    });
  }
}

for (const backend of BACKENDS.filter((b) => b.label === "sqlite" || b.label === "postgres")) {
  Deno.test({
    name: `a lock whose counter row another program deleted is refused, 65, its rows left as ` +
      `they are (${backend.label})`,
    ignore: !backend.available,
    async fn() {
      await using target = await backend.use();
      const namespace = freshNamespace();
      const flags = ["--url", target.url, "--namespace", namespace];
      const dir = await Deno.makeTempDir();
      const held = `${dir}/held`;
      // A holds the lock while its counter goes.
      const a = spawnCoord([
        "lock",
        "run",
        "r",
        ...flags,
        "--",
        "sh",
        "-c",
        `echo $$ > ${held}; exec sleep 30`,
      ]);
      try {
        await until(
          () => Deno.readTextFile(held).then((pid) => pid.endsWith("\n"), () => false),
          { what: "A holding" },
        );
        await using db = await connect({ url: target.url, namespace, env: {} });
        await runSql(db, "DELETE FROM coord_lock_counter WHERE namespace = ?", namespace);
        const stored = async () =>
          JSON.stringify(
            await Promise.all(
              LOCK_TABLES.map((table) => sqlRows(db, `SELECT * FROM ${table} ORDER BY 1, 2, 3`)),
            ),
          );
        const before = await stored();
        // Taken for a lock never used, its rows were written over and B granted beside A.
        for (
          const args of [["lock", "run", "r", "-n", ...flags, "--", "true"], [
            "turn",
            "status",
            "r",
            ...flags,
          ]]
        ) {
          const r = await runCoord(args);
          assert.equal(r.code, 65, `${args[0]}: ${r.stderr}`);
          assert.match(r.stderr, /coord_lock_counter has no row .* another program deleted it/);
          assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
        }
        assert.equal(await stored(), before, "the lock's rows are left as they were");
      } finally {
        // On a busy machine A's renewal comes within the test, meets the deleted row and loses
        // the lease: A stops its command and exits by itself, before this kill.
        try {
          a.kill("SIGKILL");
        } catch {
          // A has exited already.
        }
        await a.result;
        // Its command, left running by coord's SIGKILL (unless A stopped it first).
        const pid = Number(await Deno.readTextFile(held).catch(() => ""));
        try {
          if (pid > 0) Deno.kill(pid, "SIGKILL");
        } catch {
          // Gone already (ESRCH).
        }
        await Deno.remove(dir, { recursive: true });
      }
    },
  });
}

for (const backend of BACKENDS.filter((b) => b.label === "sqlite" || b.label === "postgres")) {
  Deno.test({
    name: `a lock with no counter but a coord_lock_request row another program wrote is ` +
      `refused, 65, and the row left (${backend.label})`,
    ignore: !backend.available,
    async fn() {
      await using target = await backend.use();
      const namespace = freshNamespace();
      const flags = ["--url", target.url, "--namespace", namespace];
      // Another lock's run makes the tables.
      const other = await runCoord(["lock", "run", "other", ...flags, "--", "true"]);
      assert.equal(other.code, 0, other.stderr);
      await using db = await connect({ url: target.url, namespace, env: {} });
      // Where the lock's first ticket's request goes: the insert failed on its key, exit 70.
      await runSql(db, "INSERT INTO coord_lock_request VALUES (?, 'r', 1, 'them', 1)", namespace);
      const r = await runCoord(["lock", "run", "r", "-n", ...flags, "--", "true"]);
      assert.equal(r.code, 65, r.stderr);
      assert.match(
        r.stderr,
        /coord_lock_counter has no row .*coord_lock_request.* another program/,
      );
      assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
      assert.equal(
        JSON.stringify(
          await sqlRows(db, "SELECT ticket, request FROM coord_lock_request WHERE name = 'r'"),
        ),
        JSON.stringify([{ ticket: 1, request: "them" }]),
      );
    },
  });
}
