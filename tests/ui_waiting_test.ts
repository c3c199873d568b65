/**
 * `coord ui` listening while it waits for its backend at its start: a port it cannot have is
 * said at once, and the 503s it answers meanwhile pass the checks its pages pass (credentials,
 * host). The backend is one nothing answers at; tests/start_outage_test.ts starts a real one.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnCoord } from "./support/cli.ts";
import { guarded } from "./support/wait.ts";
import { BACKEND_AWAY, startWaitingUi } from "./ui_support.ts";

/** Nothing listens on port 1: the console waits for it for a minute. */
const AWAY_URL = "redis://127.0.0.1:1";

/** GET `url` (headers `init`): its status and text. */
async function get(url: string, init?: RequestInit): Promise<{ status: number; text: string }> {
  const response = await fetch(url, init);
  return { status: response.status, text: await response.text() };
}

Deno.test("ui: a --listen port taken exits 64 at once while its backend is away, waiting for nothing", async () => {
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  await using ui = spawnCoord([
    "ui",
    "--url",
    AWAY_URL,
    "--listen",
    `127.0.0.1:${taken.addr.port}`,
  ]);
  // It ends without the line, or says it and waits a minute before it finds the port taken.
  const waited = await ui.stderrLine(BACKEND_AWAY).then(() => true, () => false);
  assert.equal(waited, false, "it waited for its backend before it listened");
  const { code, stderr } = await guarded(ui.result, "exit of coord ui");
  assert.equal(code, 64, stderr);
  assert.match(
    stderr,
    /^coord: cannot listen on 127\.0\.0\.1:\d+: .* — choose another --listen\n$/,
  );
});

Deno.test("ui: with credentials, a request while the backend is away gets 401 without them, 503 with them; /health 503", async () => {
  await using ui = await startWaitingUi({
    COORD_URL: AWAY_URL,
    COORD_UI_USER: "ops",
    COORD_UI_PASSWORD: "s3cret",
  });
  const { root } = ui;
  const basic = { headers: { authorization: `Basic ${btoa("ops:s3cret")}` } };
  for (const path of ["", "queues/q", "live?path=/", "metrics", "assets/client.js"]) {
    const denied = await get(`${root}${path}`);
    assert.equal(denied.status, 401, `/${path}: ${denied.text}`);
    assert.doesNotMatch(denied.text, /backend/, `/${path} says how the backend is`);
  }
  const page = await get(root, basic);
  assert.equal(page.status, 503, page.text);
  assert.match(page.text, /class="banner"[^>]*>Cannot read the backend: cannot reach redis:/);
  assert.equal((await get(`${root}live?path=/`, basic)).status, 503);
  assert.equal((await get(`${root}assets/client.js`, basic)).status, 200);
  // Open for probes, as once it serves.
  assert.deepEqual(await get(`${root}health`), { status: 503, text: "unavailable\n" });
});

Deno.test("ui: without credentials, a request for another host name while the backend is away gets 421", async () => {
  await using ui = await startWaitingUi({ COORD_URL: AWAY_URL }, ["--base-path", "/coord"]);
  const { root } = ui;
  const { hostname, port } = new URL(root);
  using conn = await Deno.connect({ hostname, port: Number(port) });
  await conn.write(
    new TextEncoder().encode(
      "GET /coord/ HTTP/1.1\r\nHost: evil.example\r\nConnection: close\r\n\r\n",
    ),
  );
  const answer = new TextDecoder().decode(
    await new Response(conn.readable).arrayBuffer(),
  );
  assert.match(answer, /^HTTP\/1\.1 421 /, answer);
  assert.doesNotMatch(answer, /Cannot read the backend/);
  assert.equal((await get(root)).status, 503);
  assert.equal((await get(`${root.replace(/coord\/$/, "")}other`)).status, 404);
});

Deno.test("ui: --read-only refuses a POST with 403 while the backend is away, as once it serves", async () => {
  await using ui = await startWaitingUi({ COORD_URL: AWAY_URL }, ["--read-only"]);
  const post = { method: "POST", body: new URLSearchParams({ csrf: "x" }) };
  const refused = await get(`${ui.root}queues/q/pause`, post);
  assert.deepEqual(refused, { status: 403, text: "read-only: this console takes no actions\n" });
  assert.equal((await get(ui.root)).status, 503);
});
