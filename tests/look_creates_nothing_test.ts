/**
 * Commands that only look (`doctor`, the `status` and `list` commands) at a namespace or SQLite
 * file where nothing is stored yet — a typo, as often as not — read it as empty and create
 * nothing there: no file, no schema, no table. They created the file or schema, as every
 * command did, and a mistyped name stayed behind. So do the queue's actions that refuse a queue
 * or job that is not there.
 */

import assert from "node:assert/strict";
import { BACKENDS, freshNamespace } from "./support/backends.ts";
import { runCoord } from "./support/cli.ts";
import { openClient } from "./support/postgres_client.ts";

/** Each look or refused action, and what it says of an empty store (its exit code when not 0). */
const LOOKS: { args: string[]; says: RegExp; code?: number }[] = [
  { args: ["doctor"], says: /^stored +nothing yet \(coord creates its (file|tables) at the/m },
  { args: ["schedule", "status"], says: /^No tasks in namespace/ },
  { args: ["schedule", "status", "t"], says: /^No such task: "t"/ },
  { args: ["turn", "status"], says: /^No queues in namespace/ },
  { args: ["turn", "status", "r"], says: /^No such queue: "r"/ },
  { args: ["barrier", "status", "b"], says: /^No such barrier: "b"/ },
  { args: ["barrier", "list"], says: /^No barriers in namespace/ },
  { args: ["queue", "status"], says: /^No queues in namespace/ },
  { args: ["queue", "list", "q"], says: /^No such queue: "q"/ },
  { args: ["queue", "show", "q/1"], says: /no job q\/1/, code: 64 },
  // Actions refused on a queue or job that is not there create nothing either.
  { args: ["queue", "wait", "q/1"], says: /no job q\/1/, code: 64 },
  { args: ["queue", "cancel", "q/1"], says: /no job q\/1/, code: 64 },
  { args: ["queue", "retry", "q/1"], says: /no job q\/1/, code: 64 },
  { args: ["queue", "resume", "q"], says: /^No such queue: "q"/, code: 64 },
  { args: ["queue", "purge", "q", "--state", "failed"], says: /^No such queue: "q"/, code: 64 },
  { args: ["queue", "retry", "q", "--failed"], says: /^No such queue: "q"/, code: 64 },
  { args: ["queue", "config", "q"], says: /^No such queue: "q"/, code: 64 },
];

/**
 * Runs every look with `flags`; each must say its empty store's line, or what `instead` says
 * for it (by its arguments).
 */
async function lookEverywhere(
  flags: string[],
  instead: Record<string, { says: RegExp; code: number }> = {},
): Promise<void> {
  for (const look of LOOKS) {
    const { args, says, code = 0 } = { ...look, ...instead[look.args.join(" ")] };
    const r = await runCoord([...args, ...flags]);
    assert.equal(r.code, code, `${args.join(" ")}: ${r.stderr}`);
    assert.match(args[0] === "doctor" ? r.stdout : r.stderr, says, args.join(" "));
  }
}

const sqlite = BACKENDS.find((b) => b.label === "sqlite")!;
const postgres = BACKENDS.find((b) => b.label === "postgres")!;

Deno.test("looks at a SQLite file that is not there create neither it nor its directory", async () => {
  await using target = await sqlite.use();
  const path = target.url.slice("sqlite:".length);
  const dir = path.slice(0, path.lastIndexOf("/"));
  await lookEverywhere(["--url", target.url]);
  assert.deepEqual([...Deno.readDirSync(dir)], [], `${target.url}: nothing made`);
  // A mistyped directory too: it stays missing, and doctor says no write could make the file.
  const typo = `sqlite:${dir}/typo/coord.db`;
  await lookEverywhere(["--url", typo], {
    doctor: {
      says: /^stored +nothing yet \(the first command that writes cannot create/m,
      code: 69,
    },
  });
  assert.deepEqual([...Deno.readDirSync(dir)], [], `${typo}: nothing made`);
  // Once something is stored, doctor no longer says otherwise.
  const first = await runCoord(["barrier", "b", "1", "--url", target.url]);
  assert.equal(first.code, 0, first.stderr);
  const doctor = await runCoord(["doctor", "--url", target.url]);
  assert.doesNotMatch(doctor.stdout, /^stored/m);
});

Deno.test({
  name: "looks at a Postgres namespace with no schema, or an empty one, create no schema or table",
  ignore: !postgres.available,
  async fn() {
    await using target = await postgres.use();
    const client = await openClient(target.url);
    try {
      const held = async (schema: string) => {
        const { rows } = await client.query(
          `SELECT (SELECT count(*) FROM pg_namespace WHERE nspname = $1)::int AS schemas,
             (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
               WHERE n.nspname = $1)::int AS relations`,
          [schema],
        );
        return rows[0];
      };
      const missing = freshNamespace();
      await lookEverywhere(["--url", target.url, "--namespace", missing]);
      assert.deepEqual(await held(missing), { schemas: 0, relations: 0 }, "no schema made");
      // One an administrator made for coord beforehand: left empty until coord writes there.
      const empty = freshNamespace();
      await client.query(`CREATE SCHEMA ${empty}`);
      await lookEverywhere(["--url", target.url, "--namespace", empty]);
      assert.deepEqual(await held(empty), { schemas: 1, relations: 0 }, "no table made");
    } finally {
      await client.end();
    }
  },
});
