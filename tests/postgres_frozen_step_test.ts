/**
 * A coord frozen inside a step (SIGSTOP, a paused VM) holds its row and advisory locks, and with
 * them every other process's steps on that primitive: the server must end such a step, undone —
 * on a direct connection and behind PgBouncer in transaction mode, which refuses session
 * settings at login (so the limit is set by each step).
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import type { PostgresBackend } from "../lib/backend/postgres/backend.ts";
import { BackendUnavailableError } from "../lib/errors.ts";
import { freshNamespace } from "./support/backends.ts";
import { pgBouncerAvailable, startPgBouncer } from "./support/pgbouncer.ts";
import { sharedPostgresUrl } from "./support/postgres_shared.ts";

const url = await sharedPostgresUrl();

/** A step that sends nothing for longer than the server allows; then whether its write stuck. */
async function freezeInStep(target: string): Promise<void> {
  const namespace = freshNamespace();
  await using backend = await connect({ url: target, namespace, env: {} }) as PostgresBackend;
  const frozen = backend.sql.write(async (tx) => {
    await tx.run(
      "INSERT INTO coord_barrier (namespace, name, generation) VALUES (?, 'frozen', 1)",
      namespace,
    );
    // Longer than the 5 s a step may sit idle; a busy machine only makes the pause longer.
    await new Promise((resolve) => setTimeout(resolve, 7_000));
    await tx.all("SELECT 1");
  });
  // The server closed the connection: to coord, a backend that went away mid-step.
  await assert.rejects(frozen, BackendUnavailableError);
  const rows = await backend.sql.read((tx) =>
    tx.all("SELECT name FROM coord_barrier WHERE namespace = ?", namespace)
  );
  assert.deepEqual(rows, [], "the frozen step's write was undone");
}

Deno.test({
  name: "the server ends a step that sent nothing for 5 s, undone",
  ignore: url === undefined,
  fn: () => freezeInStep(url!),
});

Deno.test({
  name: "behind pgbouncer in transaction mode the server ends a frozen step too",
  ignore: url === undefined || !pgBouncerAvailable(),
  async fn() {
    await using bouncer = await startPgBouncer(url!, { poolMode: "transaction" });
    await freezeInStep(bouncer.url);
  },
});
