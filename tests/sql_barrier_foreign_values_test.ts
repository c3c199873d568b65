/**
 * A barrier's rows holding instants or counts of the right type that coord never writes there
 * (an arrival whose lease never ends or that arrived before 1970, a release beyond 2^53 ms or
 * at no instant at all: a hand-made UPDATE, another program) are refused on both SQL engines —
 * exit 65, one line naming the value — and left as they are. They were counted, slept towards
 * or shown as a date that is none.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { abortBarrier, barrierStatus } from "../lib/barrier/barrier.ts";
import { ForeignDataError } from "../lib/errors.ts";
import { BACKENDS, freshNamespace } from "./support/backends.ts";
import { runCoord } from "./support/cli.ts";
import { runSql, sqlRows } from "./support/sql.ts";

interface Plant {
  what: string;
  /** Run after generation 1 released "early" and "waiting" arrived in generation 2. */
  sql: string;
  table: string;
  column: string;
  shown: string;
}

const PLANTS: Plant[] = [
  {
    what: "an arrival whose lease never ends",
    sql: "UPDATE coord_barrier_arrival SET expires_at = INFINITY WHERE namespace = ?",
    table: "coord_barrier_arrival",
    column: "expires_at",
    shown: "Infinity",
  },
  {
    what: "an arrival before 1970",
    sql: "UPDATE coord_barrier_arrival SET since = -1 WHERE namespace = ?",
    table: "coord_barrier_arrival",
    column: "since",
    shown: "-1",
  },
  {
    what: "a last release beyond 2^53 ms",
    sql: "UPDATE coord_barrier SET last_release_at = 1e300 WHERE namespace = ?",
    table: "coord_barrier",
    column: "last_release_at",
    shown: "1e+300",
  },
  {
    what: "a release at no instant",
    sql: "UPDATE coord_barrier_ended SET release_at = INFINITY WHERE namespace = ?",
    table: "coord_barrier_ended",
    column: "release_at",
    shown: "Infinity",
  },
];

/** How each engine spells an infinite number, for INFINITY in a plant's SQL. */
const INFINITY: Record<string, string> = { sqlite: "9e999", postgres: "'Infinity'" };

const BARRIER_TABLES = [
  "coord_barrier",
  "coord_barrier_arrival",
  "coord_barrier_ended",
  "coord_barrier_member",
];

const info = { host: "here", pid: 1 };

for (const backend of BACKENDS.filter((b) => b.label === "sqlite" || b.label === "postgres")) {
  for (const p of PLANTS) {
    Deno.test({
      name: `${p.what} in ${p.table} is refused (65) and left (${backend.label})`,
      ignore: !backend.available,
      async fn() {
        await using target = await backend.use();
        const namespace = freshNamespace();
        await using db = await connect({ url: target.url, namespace, env: {} });
        const arrive = (id: string, n: number) =>
          db.barrier.arrive("b", { id, n, leaseMs: 600_000, delayMs: 0, info });
        assert.equal((await arrive("early", 1)).outcome, "joined");
        assert.equal((await arrive("waiting", 2)).outcome, "joined");
        await runSql(db, p.sql.replace("INFINITY", INFINITY[backend.label]), namespace);
        const stored = async () =>
          JSON.stringify(
            await Promise.all(
              BARRIER_TABLES.map((table) => sqlRows(db, `SELECT * FROM ${table} ORDER BY 1, 2, 3`)),
            ),
            (_, v) => typeof v === "number" && !Number.isFinite(v) ? String(v) : v,
          );
        const before = await stored();
        const said = `barrier "b": ${p.table} holds a row coord did not write ` +
          `(${p.column} = ${p.shown}) — another program wrote there`;
        const refused = (e: unknown) => e instanceof ForeignDataError && e.message.startsWith(said);
        if (p.table === "coord_barrier_ended") {
          // Read by the released participant's check of its generation.
          const check = { id: "early", generation: 1, leaseMs: 600_000, renew: false };
          await assert.rejects(db.barrier.check("b", check), refused);
        } else {
          const r = await runCoord(["barrier", "status", "b", "--url", target.url], {
            env: { COORD_NAMESPACE: namespace },
          });
          assert.equal(r.code, 65, r.stderr);
          assert.equal(r.stderr, `coord: ${said}; delete the row or use another --namespace\n`);
          await assert.rejects(barrierStatus(db, "b"), refused);
          await assert.rejects(arrive("late", 2), refused);
          await assert.rejects(abortBarrier(db, "b"), refused);
        }
        assert.equal(await stored(), before, "the barrier's rows are left as they were");
      },
    });
  }
}

for (const backend of BACKENDS.filter((b) => b.label === "sqlite" || b.label === "postgres")) {
  Deno.test({
    name: `a coord_barrier_ended row at the open generation is refused (65) by the arrival ` +
      `that ends it and by abort, and left (${backend.label})`,
    ignore: !backend.available,
    async fn() {
      await using target = await backend.use();
      const namespace = freshNamespace();
      await using db = await connect({ url: target.url, namespace, env: {} });
      const arrive = (id: string, n: number) =>
        db.barrier.arrive("b", { id, n, leaseMs: 600_000, delayMs: 0, info });
      assert.equal((await arrive("early", 1)).outcome, "joined");
      assert.equal((await arrive("waiting", 2)).outcome, "joined");
      // Where ending generation 2 writes: the insert failed on its key, exit 70.
      await runSql(
        db,
        `INSERT INTO coord_barrier_ended (namespace, name, generation, release_at, n)
         VALUES (?, 'b', 2, NULL, 2)`,
        namespace,
      );
      const stored = async () =>
        JSON.stringify(
          await Promise.all(
            BARRIER_TABLES.map((table) => sqlRows(db, `SELECT * FROM ${table} ORDER BY 1, 2, 3`)),
          ),
        );
      const before = await stored();
      const flags = ["--url", target.url, "--namespace", namespace];
      for (const args of [["barrier", "b", "2", ...flags], ["barrier", "abort", "b", ...flags]]) {
        const r = await runCoord(args);
        assert.equal(r.code, 65, `${args.join(" ")}: ${r.stderr}`);
        assert.equal(
          r.stderr,
          `coord: barrier "b": coord_barrier_ended holds a row coord did not write ` +
            `(generation = 2) — another program wrote there; delete the row or use another ` +
            `--namespace\n`,
        );
      }
      assert.equal(await stored(), before, "the barrier's rows are left as they were");
    },
  });
}
