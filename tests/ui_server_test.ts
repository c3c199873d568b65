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

/** Runs `fn` with console.error recorded; returns what it logged, each call's arguments. */
async function logOf(fn: () => Promise<void>): Promise<unknown[][]> {
  const logged: unknown[][] = [];
  const consoleError = console.error;
  console.error = (...args: unknown[]) => logged.push(args);
  try {
    await fn();
  } finally {
    console.error = consoleError;
  }
  return logged;
}

/** The handler over {@link BROKEN}, and what stops its event streams. */
function brokenConsole(): {
  handler: (request: Request) => Promise<Response>;
  stop: AbortController;
} {
  const stop = new AbortController();
  const handler = consoleHandler(
    { backend: BROKEN, readOnly: false, csrfToken: "t", base: "" },
    { pulse: new Pulse(), signal: stop.signal },
  );
  return { handler, stop };
}

Deno.test("ui: a page that fails unexpectedly is a 500 saying internal error, not the outage page that reloads", async () => {
  const { handler, stop } = brokenConsole();
  let response: Response | undefined;
  const logged = await logOf(async () => {
    response = await handler(new Request("http://127.0.0.1:8080/queues/q"));
  });
  stop.abort();
  assert.equal(response!.status, 500);
  const body = await response!.text();
  assert.equal(body, "internal error: the console's log says which\n");
  assert.ok(!body.includes("Backend unreachable"), body);
  assert.equal(logged.length, 1, `logged: ${JSON.stringify(logged)}`);
  const line = String(logged[0][0]);
  assert.match(line, /^coord ui: unexpected error: .+ \(GET \/queues\/q\)$/);
});

Deno.test("ui: a live page that fails unexpectedly says internal error, not that the backend is out", async () => {
  const { handler, stop } = brokenConsole();
  let first = "";
  await logOf(async () => {
    const response = await handler(new Request("http://127.0.0.1:8080/live?path=/locks"));
    assert.equal(response.status, 200);
    const reader = response.body!.pipeThrough(new TextDecoderStream()).getReader();
    while (!first.includes("\n\n")) {
      const { value, done } = await reader.read();
      if (done) assert.fail(`the stream ended before a whole event: ${first}`);
      first += value;
    }
    stop.abort();
    await reader.cancel();
  });
  const update = JSON.parse(/^data: (.*)$/m.exec(first)![1]);
  assert.equal(update.outage, false);
  assert.match(update.html, /internal error/);
  assert.doesNotMatch(update.html, /Cannot read the backend/);
});

Deno.test("ui: a POST whose Origin names the host of its URL is not refused as cross-site without a Host header (HTTP/2)", async () => {
  const { handler, stop } = brokenConsole();
  // A request built in process has no `Host`, as one over HTTP/2, where the host is `:authority`.
  const response = await handler(
    new Request("http://127.0.0.1:8080/queues/q/pause", {
      method: "POST",
      headers: { origin: "http://127.0.0.1:8080" },
      body: new URLSearchParams({ csrf: "wrong" }),
    }),
  );
  stop.abort();
  const body = await response.text();
  assert.equal(response.status, 403);
  assert.match(body, /CSRF token/, "refused as cross-site before its token was checked");
});

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

Deno.test("ui: a live stream asked for a path that is no URL is a 400, not an internal error", async () => {
  const { handler, stop } = brokenConsole();
  const answers: [number, string][] = [];
  const logged = await logOf(async () => {
    for (const path of ["http://[", "//["]) {
      const url = `http://127.0.0.1:8080/live?path=${encodeURIComponent(path)}`;
      const response = await handler(new Request(url));
      answers.push([response.status, await response.text()]);
    }
  });
  stop.abort();
  for (const [status, body] of answers) {
    assert.equal(status, 400, body);
    assert.match(body, /^bad path/);
  }
  assert.deepEqual(logged, []);
});
