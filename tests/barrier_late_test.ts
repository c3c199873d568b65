/**
 * A participant that heard of a barrier's release in time but was woken late by its host
 * exits 0 with the others, and says so: its `late_ms` was over the 10 ms README promises
 * while nothing told its script (123 ms in a new user's run on a busy machine).
 */

import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import { barrierStatus } from "../lib/barrier/barrier.ts";
import { spawnCoord } from "./support/cli.ts";
import { tempSqlite } from "./support/temp.ts";
import { until } from "./support/wait.ts";

Deno.test("a participant woken late after hearing of the release in time says so, exit 0", async () => {
  await using db = await tempSqlite();
  const env = { COORD_URL: db.url };
  const paused = spawnCoord(["barrier", "late", "2", "--delay", "3", "--json"], { env });
  await using backend = await connect({ url: db.url, env: {} });
  await until(async () => (await barrierStatus(backend, "late"))?.arrivals.length === 1, {
    what: "the first arrival",
  });
  const other = spawnCoord(["barrier", "late", "2", "--delay", "3", "--json"], { env });
  let releaseAt = 0;
  await until(async () => {
    releaseAt = (await barrierStatus(backend, "late"))?.lastRelease?.releaseAt ?? 0;
    return releaseAt > 0;
  }, { what: "the release" });
  // Paused across the release instant: it has heard of the release by now on a quiet host
  // (then it wakes late), or hears of it after the instant (then it exits 76).
  Deno.kill(paused.pid, "SIGSTOP");
  await new Promise((r) => setTimeout(r, Math.max(0, releaseAt - Date.now()) + 300));
  Deno.kill(paused.pid, "SIGCONT");
  const [late, onTime] = [await paused.result, await other.result];
  assert.equal(onTime.code, 0, onTime.stderr);
  if (late.code === 76) {
    assert.match(late.stderr, /heard of the release [\d.]+ ms after its instant/);
    return;
  }
  assert.equal(late.code, 0, late.stderr);
  const { late_ms } = JSON.parse(late.stdout);
  assert.ok(late_ms > 200, `late_ms ${late_ms}`);
  assert.match(
    late.stderr,
    /^coord: warning: barrier late: continued [\d.]+ ms after the release instant — it heard of the release in time, but this host woke it late$/m,
  );
});
