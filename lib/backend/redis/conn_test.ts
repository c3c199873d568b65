import assert from "node:assert/strict";
import { reconnectDelayMs } from "./conn.ts";

Deno.test("reconnectDelayMs() tries again within half a second of a server's return, however long it was away", () => {
  // The attempts' instants after the connection dropped, over a minute of outage.
  const attempts: number[] = [];
  for (let retries = 0, at = 0; at < 60_000; retries++) {
    at += reconnectDelayMs(retries);
    attempts.push(at);
  }
  for (let back = 0; back < 59_000; back += 10) {
    const next = attempts.find((at) => at >= back)!;
    assert.ok(next - back <= 500, `back after ${back} ms, next attempt at ${next} ms`);
  }
  // Quick at first: a dropped connection to a server that is up costs 50 ms.
  assert.equal(reconnectDelayMs(0), 50);
});
