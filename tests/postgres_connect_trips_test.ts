/**
 * What a coord command spends on Postgres before its own work, at a schema already set up: its
 * tables' check reads the stored schema version with them, in one round trip (the version was a
 * round trip of its own at every command's start), and the value read so is the stored text,
 * whatever it holds. Counted by a proxy reading what the real CLI sends.
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { shownValue } from "../lib/stored_values.ts";
import { freshNamespace } from "./support/backends.ts";
import { runCoord } from "./support/cli.ts";
import { sharedPostgresUrl } from "./support/postgres_shared.ts";
import { recordTrips } from "./support/postgres_trips.ts";
import { runSql } from "./support/sql.ts";

const url = await sharedPostgresUrl();

/** A namespace with coord's tables set up and one job put; its name. */
async function setUp(): Promise<string> {
  const namespace = freshNamespace();
  await using backend = await connect({ url: url!, namespace, env: {} });
  await backend.queue.put("q", { spec: { handler: "h", retries: 0, backoffMs: 0 }, delayMs: 0 });
  return namespace;
}

Deno.test({
  name:
    "a command at a schema set up checks its tables and their version in one round trip before it listens",
  ignore: url === undefined,
  async fn() {
    const namespace = await setUp();
    await using recorder = recordTrips(url!);
    for (const args of [["status", "q"], ["put", "q", "--handler", "h"]]) {
      recorder.trips.length = 0;
      const r = await runCoord(["queue", ...args, "--url", recorder.url, "--namespace", namespace]);
      assert.equal(r.code, 0, r.stderr);
      const listening = recorder.trips.indexOf("LISTEN coord_change");
      assert.ok(listening >= 0, recorder.trips.join("\n"));
      const opening = recorder.trips.slice(0, listening);
      assert.equal(opening.length, 1, `${args[0]}:\n${opening.join("\n")}`);
      assert.match(opening[0], /\bcoord_meta\b/);
    }
  },
});

Deno.test({
  name:
    "the version read with the check is the stored value as it is: text XML cannot carry, NULL, none",
  ignore: url === undefined,
  async fn() {
    const namespace = await setUp();
    await using backend = await connect({ url: url!, namespace, env: {} });
    const flags = ["--url", url!, "--namespace", namespace];
    const status = () => runCoord(["queue", "status", "q", ...flags]);
    const refusal = (shown: string) =>
      `coord: ${url}: schema "${namespace}": coord_meta holds a row coord did not write ` +
      `(schema_version = ${shown}) — another program wrote there; use another --namespace\n`;
    for (const value of ['<1>&"é\u0001\r\n', " 1", "1 "]) {
      await runSql(backend, "UPDATE coord_meta SET value = ? WHERE key = 'schema_version'", value);
      const r = await status();
      assert.equal(r.code, 65, `${JSON.stringify(value)}: ${r.stderr}`);
      assert.equal(r.stderr, refusal(shownValue(value)));
    }
    // A NULL no coord writes (the column allows none; another program altered it).
    await runSql(backend, "ALTER TABLE coord_meta ALTER COLUMN value DROP NOT NULL");
    await runSql(backend, "UPDATE coord_meta SET value = NULL WHERE key = 'schema_version'");
    const nulled = await status();
    assert.equal(nulled.code, 65, nulled.stderr);
    assert.equal(nulled.stderr, refusal("null"));
    await runSql(backend, "DELETE FROM coord_meta WHERE key = 'schema_version'");
    const none = await status();
    assert.equal(none.code, 0, none.stderr);
  },
});
