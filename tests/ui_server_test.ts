/**
 * The console's handler in process, over a backend that fails in ways no real one should: what
 * an unexpected error does to the answer and to the log.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Backend } from "../lib/backend/types.ts";
import { Pulse } from "../commands/ui/changes.ts";
import { consoleHandler } from "../commands/ui/server.ts";

/** A backend whose every call rejects with a TypeError, as a bug below the console would. */
const BROKEN = new Proxy({}, {
  get(_target, property) {
    if (property === "displayUrl") return "broken://";
    return () => Promise.reject(new TypeError(`broken backend: ${String(property)}`));
  },
}) as Backend;

Deno.test("ui: an unexpected error in a request is a 500 and one line on stderr, no stack", async () => {
  const logged: unknown[][] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    const stop = new AbortController();
    const handler = consoleHandler(
      { backend: BROKEN, readOnly: false, csrfToken: "t", base: "" },
      { pulse: new Pulse(), signal: stop.signal },
    );
    const response = await handler(new Request("http://127.0.0.1:8080/metrics"));
    stop.abort();
    assert.equal(response.status, 500);
    assert.equal(await response.text(), "internal error: the console's log says which\n");
    assert.equal(logged.length, 1, `logged: ${JSON.stringify(logged)}`);
    assert.equal(logged[0].length, 1);
    const line = String(logged[0][0]);
    assert.match(line, /^coord ui: unexpected error: .+ \(GET \/metrics\)$/);
    assert.ok(!line.includes("\n"), line);
  } finally {
    console.error = consoleError;
  }
});
