/**
 * `coord ui` over plain HTTP, as a real process on a free port: who may do what (read-only,
 * CSRF, basic auth, the loopback rule), escaping of attacker-controlled text, /metrics and
 * /health, the base path.
 *
 * @module
 */

import { claimJob } from "../lib/queue/claim_job.ts";
import assert from "node:assert/strict";
import { connect } from "../lib/backend/connect.ts";
import type { RedisBackend } from "../lib/backend/redis/backend.ts";
import type { SqliteBackend } from "../lib/backend/sqlite/backend.ts";
import { spawnCoord } from "./support/cli.ts";
import { sharedRedisUrl } from "./support/shared_servers.ts";
import { plantForeignQueue } from "./support/queue.ts";
import { guarded, until } from "./support/wait.ts";
import { getJob, putJob } from "../lib/queue/queue.ts";
import { lock } from "../lib/lock/lock.ts";
import { barrier } from "../lib/barrier/barrier.ts";
import { Scheduler } from "../lib/schedule/scheduler.ts";
import { plantForeignBarrierField, plantForeignLock } from "./support/backends.ts";
import { coord, csrfTokenOf, freshTarget, startUi, type Target } from "./ui_support.ts";

const redisUrl = await sharedRedisUrl("redis");
const clusterUrl = await sharedRedisUrl("cluster");
const sentinelUrl = await sharedRedisUrl("sentinel");
/** Every backend form, for the tests that read every page. */
const EVERY_BACKEND = [
  ["sqlite", undefined],
  ["redis", redisUrl],
  ["cluster", clusterUrl],
  ["sentinel", sentinelUrl],
] as const;

/** A fresh SQLite target holding `queue` (one job), whose page shows the action forms. */
async function withQueue(queue: string): Promise<Target> {
  const target = await freshTarget();
  await coord(["queue", "put", queue, "--handler", "h"], target.env);
  return target;
}

function assertIncludes(text: string, part: string): void {
  assert.ok(text.includes(part), `expected ${JSON.stringify(part)} in:\n${text}`);
}

const SCRIPT = "<script>alert(1)</script>";

async function jobState(env: Record<string, string>, ref: string): Promise<string> {
  return JSON.parse(await coord(["queue", "show", ref, "--json"], env)).state;
}

async function postForm(url: string, fields: Record<string, string>, init: RequestInit = {}) {
  const response = await fetch(url, {
    ...init,
    method: "POST",
    body: new URLSearchParams(fields),
    redirect: "manual",
  });
  await response.body?.cancel();
  return response;
}

Deno.test("ui: --read-only shows no action and refuses a POST with 403, changing nothing", async () => {
  await using target = await freshTarget();
  await coord(["queue", "put", "q", "--id", "a", "--handler", "h"], target.env);
  await using ui = await startUi(target.env, ["--read-only"]);
  const page = await (await fetch(`${ui.root}queues/q/jobs/a`)).text();
  assert.ok(!page.includes('<form method="post"'), "a read-only page has no action form");
  const response = await postForm(`${ui.root}queues/q/jobs/a/cancel`, { csrf: "x" });
  assert.deepEqual(response.status, 403);
  assert.deepEqual(await jobState(target.env, "q/a"), "pending");
});

Deno.test("ui: a POST without the page's CSRF token is refused with 403; with it, it acts", async () => {
  await using target = await freshTarget();
  await coord(["queue", "put", "q", "--id", "a", "--handler", "h"], target.env);
  await using ui = await startUi(target.env);
  const cancel = `${ui.root}queues/q/jobs/a/cancel`;
  assert.deepEqual((await postForm(cancel, {})).status, 403);
  assert.deepEqual((await postForm(cancel, { csrf: "0".repeat(64) })).status, 403);
  assert.deepEqual(await jobState(target.env, "q/a"), "pending");
  const token = await csrfTokenOf(`${ui.root}queues/q/jobs/a`);
  const done = await postForm(cancel, { csrf: token });
  assert.deepEqual(done.status, 303);
  assert.deepEqual(await jobState(target.env, "q/a"), "cancelled");
  const after = await (await fetch(new URL(done.headers.get("location")!, ui.root))).text();
  assertIncludes(after, "Cancelled q/a.");
});

Deno.test("ui: with COORD_UI_USER/PASSWORD every page needs basic auth (401), /health does not", async () => {
  await using target = await freshTarget();
  await using ui = await startUi({
    ...target.env,
    COORD_UI_USER: "ops",
    COORD_UI_PASSWORD: "s3cret",
  });
  const basic = (user: string, password: string) => ({
    headers: { authorization: `Basic ${btoa(`${user}:${password}`)}` },
  });
  const status = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${ui.root}${path}`, init);
    await response.body?.cancel();
    return response;
  };
  const denied = await status("");
  assert.deepEqual(denied.status, 401);
  assert.match(denied.headers.get("www-authenticate") ?? "", /^Basic /);
  assert.deepEqual((await status("", basic("ops", "wrong"))).status, 401);
  assert.deepEqual((await status("metrics")).status, 401);
  assert.deepEqual((await status("", basic("ops", "s3cret"))).status, 200);
  assert.deepEqual((await status("health")).status, 200);
});

Deno.test('ui: a COORD_UI_USER holding ":" exits 64 with one line, rather than serving what nobody can log in to', async () => {
  await using ui = spawnCoord(["ui", "--listen", "127.0.0.1:0", "--url", "sqlite::memory:"], {
    env: { COORD_UI_USER: "ops:team", COORD_UI_PASSWORD: "s3cret" },
  });
  // Before: it served, and answered every login 401 (the first ":" of "user:password" ends the
  // user, so the console read "ops" and "team:s3cret").
  const serving = ui.stderrLine(/serving/).then(() => "served", () => "not served");
  assert.notEqual(await Promise.race([ui.result, serving]), "served");
  const { code, stderr } = await ui.result;
  assert.equal(code, 64, stderr);
  assert.match(stderr, /^coord: COORD_UI_USER holds ":", which ends a basic-auth user name/);
  assert.equal(stderr.trim().split("\n").length, 1, stderr);
});

/** A GET of `path` with its own `Host` header (fetch sends the URL's): status line and body. */
function getWithHost(root: string, path: string, host: string) {
  return rawRequest(
    root,
    `GET ${new URL(root).pathname}${path} HTTP/1.1\r\nHost: ${host}\r\nConnection: close\r\n\r\n`,
  );
}

/** `request` as written, over a TCP connection to the console: status and the whole answer. */
async function rawRequest(root: string, request: string) {
  const { hostname, port } = new URL(root);
  using conn = await Deno.connect({ hostname, port: Number(port) });
  await conn.write(new TextEncoder().encode(request));
  let text = "";
  const decoder = new TextDecoder();
  const buffer = new Uint8Array(16_384);
  for (let n; (n = await conn.read(buffer)) !== null;) {
    text += decoder.decode(buffer.subarray(0, n), { stream: true });
  }
  return { status: Number(/^HTTP\/1\.[01] (\d+)/.exec(text)?.[1]), text };
}

/** Whether curl is installed, for the HTTP/2 cases (Deno's fetch cannot speak cleartext HTTP/2). */
/** A curl that speaks HTTP/2 (built with nghttp2: "HTTP2" among its features). */
const CURL_AVAILABLE = await new Deno.Command("curl", { args: ["--version"], stdout: "piped" })
  .output().then(
    ({ success, stdout }) =>
      success && /^Features:.*\bHTTP2\b/m.test(new TextDecoder().decode(stdout)),
    () => false,
  );

/** A GET of `url` over cleartext HTTP/2, `name` resolved to the console's address: the status. */
async function getOverHttp2(url: string, name: string): Promise<number> {
  const { hostname, port } = new URL(url);
  const target = new URL(url);
  target.hostname = name;
  const { stdout } = await new Deno.Command("curl", {
    args: [
      "--silent",
      "--http2-prior-knowledge",
      "--resolve",
      `${name}:${port}:${hostname}`,
      "--output",
      "/dev/null",
      "--write-out",
      "%{http_version} %{http_code}",
      target.href,
    ],
  }).output();
  const [version, code] = new TextDecoder().decode(stdout).split(" ");
  assert.equal(version, "2", `curl spoke HTTP/${version}`);
  return Number(code);
}

Deno.test("ui: on loopback without credentials, a request for a name other than loopback gets 421 and no token", async () => {
  await using target = await withQueue("w");
  await using ui = await startUi(target.env);
  const port = new URL(ui.root).port;
  const rebound = await getWithHost(ui.root, "queues/w", `evil.example:${port}`);
  assert.equal(rebound.status, 421, rebound.text);
  assert.ok(!rebound.text.includes('name="csrf"'), "the token went to another name");
  assertIncludes(rebound.text, "localhost or an IP address");
  assertIncludes(rebound.text, "--allow-host evil.example");
  for (
    const host of [
      `localhost:${port}`,
      "localhost.",
      `127.0.0.1:${port}`,
      "127.0.0.2:9000",
      "[::1]:9",
    ]
  ) {
    assert.equal((await getWithHost(ui.root, "queues/w", host)).status, 200, host);
  }
});

Deno.test("ui: an HTTP/1.0 request without Host is answered, judged by the listening address", async () => {
  await using target = await withQueue("w");
  await using ui = await startUi(target.env);
  const answer = await rawRequest(
    ui.root,
    `GET ${new URL(ui.root).pathname}queues/w HTTP/1.0\r\n\r\n`,
  );
  assert.equal(answer.status, 200, answer.text);
});

Deno.test({
  name: "ui: over HTTP/2 the host in :authority is judged as Host is: another name gets 421",
  ignore: !CURL_AVAILABLE,
  async fn() {
    await using target = await withQueue("w");
    await using ui = await startUi(target.env);
    assert.equal(await getOverHttp2(`${ui.root}queues/w`, "evil.example"), 421);
    assert.equal(await getOverHttp2(`${ui.root}queues/w`, "localhost"), 200);
  },
});

Deno.test("ui: --read-only on every address without credentials refuses a name (rebinding) with 421, answers an IP address", async () => {
  await using target = await withQueue("w");
  await using ui = await startUi(target.env, ["--read-only", "--listen", "0.0.0.0:0"]);
  const port = new URL(ui.root).port;
  const rebound = await getWithHost(ui.root, "queues/w", `evil.example:${port}`);
  assert.equal(rebound.status, 421, rebound.text);
  for (const host of [`10.1.2.3:${port}`, `127.0.0.1:${port}`, "[fe80::1]", "localhost"]) {
    assert.equal((await getWithHost(ui.root, "queues/w", host)).status, 200, host);
  }
});

Deno.test("ui: --allow-host NAME answers requests for NAME (any case, port, trailing dot) without credentials", async () => {
  await using target = await withQueue("w");
  await using ui = await startUi(target.env, [
    "--allow-host",
    "wall.example",
    "--allow-host",
    "Forwarded.Example.",
    "--allow-host",
    "coord_ui",
  ]);
  const port = new URL(ui.root).port;
  for (
    const host of [`wall.example:${port}`, "WALL.example.", "forwarded.example:443", "coord_ui"]
  ) {
    assert.equal((await getWithHost(ui.root, "queues/w", host)).status, 200, host);
  }
  assert.equal((await getWithHost(ui.root, "queues/w", "evil.example")).status, 421);
  // A probe may ask by a service's name: /health says only whether the backend answers.
  assert.equal((await getWithHost(ui.root, "health", "coord-ui.svc")).status, 200);
});

Deno.test("ui: --allow-host with something other than a host name exits 64", async () => {
  for (const name of ["wall.example:8080", "http://wall.example", "a b", "[::1]"]) {
    const { code, stderr } = await spawnCoord(
      ["ui", "--url", "sqlite::memory:", "--allow-host", name],
    ).result;
    assert.equal(code, 64, name);
    assertIncludes(stderr, `--allow-host "${name}" is not a host name`);
  }
});

Deno.test("ui: with credentials, a request for any Host is answered", async () => {
  await using target = await freshTarget();
  await using ui = await startUi({
    ...target.env,
    COORD_UI_USER: "ops",
    COORD_UI_PASSWORD: "s3cret",
  });
  const { status } = await getWithHost(ui.root, "health", "coord.example.com");
  assert.equal(status, 200);
});

for (const withCredentials of [false, true]) {
  Deno.test(`ui${withCredentials ? " with credentials" : ""}: a POST from another site's page is refused with 403 even with the token`, async () => {
    await using target = await withQueue("zz");
    const credentials = { COORD_UI_USER: "ops", COORD_UI_PASSWORD: "s3cret" };
    await using ui = await startUi({ ...target.env, ...withCredentials && credentials });
    const authorization = { authorization: `Basic ${btoa("ops:s3cret")}` };
    const headers = withCredentials ? authorization : {};
    const token = await csrfTokenOf(`${ui.root}queues/zz`, { headers });
    const pause = `${ui.root}queues/zz/pause`;
    const origin = new URL(ui.root).origin;
    const foreign: Record<string, string>[] = [
      { origin: "http://evil.example", "sec-fetch-site": "cross-site" },
      { origin: "http://evil.example" },
      { origin: "null" },
      { "sec-fetch-site": "same-site" },
    ];
    for (const from of foreign) {
      const response = await postForm(pause, { csrf: token }, { headers: { ...headers, ...from } });
      assert.equal(response.status, 403, JSON.stringify(from));
    }
    assert.equal(await queuePaused(target.env, "zz"), false);
    const own = { ...headers, origin, "sec-fetch-site": "same-origin" };
    assert.equal((await postForm(pause, { csrf: token }, { headers: own })).status, 303);
    assert.equal(await queuePaused(target.env, "zz"), true);
  });
}

Deno.test("ui: coord ui --help lists its flags and where credentials come from", async () => {
  const { code, stdout } = await spawnCoord(["ui", "--help"]).result;
  assert.equal(code, 0);
  for (
    const flag of [
      "--listen",
      "--read-only",
      "--base-path",
      "--allow-host",
      "COORD_UI_USER",
      "/metrics",
    ]
  ) {
    assertIncludes(stdout, flag);
  }
});

Deno.test("ui: a non-loopback --listen without credentials or --read-only exits 64", async () => {
  const { code, stderr } = await spawnCoord(
    ["ui", "--url", "sqlite::memory:", "--listen", "0.0.0.0:0"],
  ).result;
  assert.deepEqual(code, 64);
  assert.deepEqual(stderr.trim().split("\n").length, 1);
  assertIncludes(stderr, "COORD_UI_USER");
});

Deno.test("ui: a --listen address already in use exits 64 instead of running on, serving nothing", async () => {
  await using target = await freshTarget();
  using taken = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  // By then the console follows the backend's changes (timers, watchers): all must stop.
  await using process = spawnCoord(["ui", "--listen", `127.0.0.1:${taken.addr.port}`], {
    env: target.env,
  });
  const { code, stderr } = await guarded(process.result, "exit of coord ui");
  assert.deepEqual(code, 64);
  assert.deepEqual(stderr.trim().split("\n").length, 1);
  assertIncludes(stderr, "--listen");
});

Deno.test("ui: a non-loopback --listen is served with --read-only", async () => {
  await using target = await freshTarget();
  const process = spawnCoord(["ui", "--listen", "0.0.0.0:0", "--read-only"], {
    env: target.env,
  });
  const line = await process.stderrLine(/serving http/, 60_000);
  assertIncludes(line, "(read-only)");
  process.kill("SIGTERM");
  assert.deepEqual((await process.result).code, 0);
});

Deno.test("ui: only one of COORD_UI_USER and COORD_UI_PASSWORD set exits 64", async () => {
  const { code, stderr } = await spawnCoord(
    ["ui", "--url", "sqlite::memory:", "--listen", "127.0.0.1:0"],
    { env: { COORD_UI_USER: "ops" } },
  ).result;
  assert.deepEqual(code, 64);
  assertIncludes(stderr, "both");
});

for (const [backend, url] of EVERY_BACKEND) {
  Deno.test({
    name: `ui (${backend}): job args, ids, errors and lock labels with <script> are shown escaped`,
    ignore: backend !== "sqlite" && url === undefined,
    async fn() {
      await using target = await freshTarget(url);
      const { env } = target;
      await coord([
        "queue",
        "put",
        "q",
        "--id",
        SCRIPT,
        "--handler",
        "h",
        "--args",
        JSON.stringify({ note: SCRIPT }),
      ], env);
      await coord([
        "queue",
        "put",
        "q",
        "--id",
        "bad",
        "--",
        "sh",
        "-c",
        `echo '${SCRIPT}' >&2; exit 1`,
      ], env);
      await coord(["queue", "work", "q", "--allow-commands", "--drain"], env);
      assert.deepEqual(await jobState(env, "q/bad"), "failed");
      const holder = spawnCoord(["lock", "run", "res", "--label", SCRIPT, "--", "sleep", "600"], {
        env,
      });
      try {
        await using ui = await startUi(env);
        const pages = [
          "",
          "locks",
          `queues/q/jobs/${encodeURIComponent(SCRIPT)}`,
          "queues/q/jobs/bad",
        ];
        // The holder shows once it has its lock.
        const giveUpAt = Date.now() + 60_000; // a hang guard only
        while (!(await (await fetch(`${ui.root}locks`)).text()).includes("alert(1)")) {
          assert.ok(Date.now() < giveUpAt, "the lock's holder never showed on /locks");
        }
        for (const path of pages) {
          const page = await (await fetch(`${ui.root}${path}`)).text();
          assert.ok(!page.includes("<script>alert"), `unescaped <script> on /${path}`);
          assert.ok(
            !/<script(?! src=)/.test(page),
            `a <script> element other than ours on /${path}`,
          );
        }
        const job = await (await fetch(`${ui.root}${pages[2]}`)).text();
        assertIncludes(job, "&lt;script&gt;alert(1)&lt;/script&gt;");
        const failed = await (await fetch(`${ui.root}${pages[3]}`)).text();
        assert.match(failed, /class="bad job-error">[^<]*&lt;script&gt;alert\(1\)/);
      } finally {
        // SIGTERM: coord passes it to sleep, so nothing outlives the test holding its pipes.
        holder.kill("SIGTERM");
        await holder.result;
      }
    },
  });
}

Deno.test("ui: /metrics counts jobs per queue and state and lock waiters; /health is 200", async () => {
  await using target = await freshTarget();
  await coord(["queue", "put", "q", "--handler", "h"], target.env);
  await coord(["queue", "put", "q", "--handler", "h"], target.env);
  await using ui = await startUi(target.env);
  const response = await fetch(`${ui.root}metrics`);
  assert.match(response.headers.get("content-type") ?? "", /^text\/plain; version=0\.0\.4/);
  const text = await response.text();
  assertIncludes(text, 'coord_queue_jobs{queue="q",state="pending"} 2');
  assertIncludes(text, "# TYPE coord_queue_jobs gauge");
  assertIncludes(text, "# TYPE coord_lock_waiters gauge");
  // Stored counts go down with purge and retention: a counter would read as a reset.
  assert.doesNotMatch(text, /coord_queue_(completed|failed)_total/);
  for (const [, name] of text.matchAll(/^# TYPE (\S+) counter$/gm)) {
    assert.match(name, /_total$/, `a counter not named *_total: ${name}`);
  }
  const health = await fetch(`${ui.root}health`);
  assert.deepEqual([health.status, await health.text()], [200, "ok\n"]);
});

for (const [backend, url] of [["sqlite", undefined], ["redis", redisUrl]] as const) {
  Deno.test({
    name: `ui (${backend}): /metrics has lock wait and hold histograms of the grants it saw`,
    ignore: backend === "redis" && url === undefined,
    async fn() {
      await using target = await freshTarget(url);
      await using ui = await startUi(target.env);
      const metricsWith = async (line: string) => {
        const giveUpAt = Date.now() + 60_000; // a hang guard only
        while (!(await (await fetch(`${ui.root}metrics`)).text()).includes(line)) {
          assert.ok(Date.now() < giveUpAt, `/metrics never showed ${line}`);
        }
      };
      const holder = (label: string) =>
        spawnCoord(["lock", "run", "deploy", "--label", label, "--", "sleep", "600"], {
          env: target.env,
        });
      const first = holder("first");
      await metricsWith('coord_lock_wait_seconds_count{resource="deploy"} 1');
      const second = holder("second");
      await metricsWith('coord_lock_waiters{resource="deploy"} 1');
      first.kill("SIGTERM");
      await first.result;
      await metricsWith('coord_lock_wait_seconds_count{resource="deploy"} 2');
      await metricsWith('coord_lock_held_seconds_count{resource="deploy"} 1');
      second.kill("SIGTERM");
      await second.result;
      await metricsWith('coord_lock_held_seconds_count{resource="deploy"} 2');
      const text = await (await fetch(`${ui.root}metrics`)).text();
      assertIncludes(text, 'coord_lock_held_seconds_bucket{resource="deploy",le="+Inf"} 2');
    },
  });
}

/** Fetches `path` until its text holds every one of `parts`; a hang guard bounds it. */
async function pageWith(url: string, ...parts: string[]): Promise<string> {
  const giveUpAt = Date.now() + 60_000; // a hang guard only
  for (;;) {
    const text = await (await fetch(url)).text();
    if (parts.every((part) => text.includes(part))) return text;
    assert.ok(Date.now() < giveUpAt, `${url} never showed ${parts.join(", ")}:\n${text}`);
  }
}

for (const [backend, url] of EVERY_BACKEND) {
  Deno.test({
    name: `ui (${backend}): jobs finished in the last minute on the overview; job histograms`,
    ignore: backend !== "sqlite" && url === undefined,
    async fn() {
      await using target = await freshTarget(url);
      const { env } = target;
      const work = () => coord(["queue", "work", "q", "--allow-commands", "--drain"], env);
      await coord(["queue", "put", "q", "--id", "before", "--", "true"], env);
      await work();
      await using ui = await startUi(env);
      await coord(["queue", "put", "q", "--id", "ok1", "--", "true"], env);
      await coord(["queue", "put", "q", "--id", "ok2", "--", "sleep", "0.2"], env);
      await coord(["queue", "put", "q", "--id", "bad", "--", "false"], env);
      await work();
      // The job that finished before the console started counts in the last minute, but only
      // those it saw finish count in the histograms.
      await pageWith(ui.root, "4", '<span class="bad">(1 failed)</span>');
      const overview = await (await fetch(ui.root)).text();
      assert.match(overview, /class="throughput"[^>]*>4\s*<span class="bad">\(1 failed\)/);
      const metrics = await pageWith(
        `${ui.root}metrics`,
        'coord_queue_job_duration_seconds_count{queue="q"} 3',
      );
      assertIncludes(metrics, "# TYPE coord_queue_job_duration_seconds histogram");
      assertIncludes(metrics, 'coord_queue_job_wait_seconds_count{queue="q"} 3');
      assertIncludes(metrics, 'coord_queue_job_duration_seconds_bucket{queue="q",le="+Inf"} 3');
      // sleep 0.2 ran at least 0.2 s: not all three ended within 0.1 s.
      assert.doesNotMatch(metrics, /job_duration_seconds_bucket\{queue="q",le="0\.1"\} 3/);
      const again = await (await fetch(`${ui.root}metrics`)).text();
      assertIncludes(again, 'coord_queue_job_duration_seconds_count{queue="q"} 3');
    },
  });
}

Deno.test("ui: a finished job another program wrote over leaves the overview up, its queue's last minute unknown", async () => {
  await using target = await freshTarget();
  const { env } = target;
  await coord(["queue", "put", "alien", "--id", "j", "--", "true"], env);
  await coord(["queue", "put", "fine", "--id", "j", "--", "true"], env);
  for (const queue of ["alien", "fine"]) {
    await coord(["queue", "work", queue, "--allow-commands", "--drain"], env);
  }
  {
    await using backend = await connect({ url: env.COORD_URL });
    (backend as SqliteBackend).db.prepare(
      "UPDATE coord_queue_job SET spec = 'junk' WHERE queue = 'alien' AND id = 'j'",
    ).run();
  }
  await using ui = await startUi(env);
  const response = await fetch(ui.root);
  const page = await response.text();
  assert.equal(response.status, 200, page);
  assert.match(page, /class="throughput"[^>]*>1\s*<\/span>/, "the other queue's last minute");
  assert.match(page, /title="a finished job is not coord's">\?</);
});

for (const [backend, url] of EVERY_BACKEND) {
  Deno.test({
    name:
      `ui (${backend}): every barrier is listed, arrived at before it started too; Abort ends a wait`,
    ignore: backend !== "sqlite" && url === undefined,
    async fn() {
      await using target = await freshTarget(url);
      await coord(["barrier", "early", "1", "--delay", "0", "--run-id", "r1"], target.env);
      await using waiter = spawnCoord(["barrier", "gate", "2", "--timeout", "600"], {
        env: target.env,
      });
      await using ui = await startUi(target.env);
      const giveUpAt = Date.now() + 60_000; // a hang guard only
      let page = "";
      while (!(page = await (await fetch(`${ui.root}barriers`)).text()).includes("1/2 arrived")) {
        assert.ok(Date.now() < giveUpAt, "the barrier never showed on /barriers");
      }
      assertIncludes(page, "<h2>r1/early</h2>");
      const overview = await (await fetch(ui.root)).text();
      assertIncludes(overview, "r1/early");
      assertIncludes(overview, "1/2");
      const token = await csrfTokenOf(`${ui.root}barriers`);
      const abort = await postForm(`${ui.root}barriers/gate/abort`, { csrf: token });
      assert.equal(abort.status, 303);
      assert.equal((await waiter.result).code, 75);
    },
  });
}

for (const [backend, url] of [["sqlite", undefined], ["redis", redisUrl]] as const) {
  Deno.test({
    name: `ui (${backend}): Reset follows turn reset's rules: in use, activity, then removed`,
    ignore: backend === "redis" && url === undefined,
    async fn() {
      await using target = await freshTarget(url);
      const { env } = target;
      await coord(["lock", "run", "deploy", "--", "true"], env);
      await using ui = await startUi(env);
      const page = await (await fetch(`${ui.root}locks`)).text();
      const token = /name="csrf" value="([0-9a-f]+)"/.exec(page)![1];
      const seenTickets = /name="tickets" value="(\d+)"/.exec(page)![1];
      const reset = async (fields: Record<string, string>) => {
        const response = await postForm(`${ui.root}locks/deploy/reset`, { csrf: token, ...fields });
        assert.equal(response.status, 303);
        return await (await fetch(new URL(response.headers.get("location")!, ui.root))).text();
      };
      // Someone took a ticket since the page was shown.
      await coord(["lock", "run", "deploy", "--", "true"], env);
      assertIncludes(await reset({ tickets: seenTickets }), "Activity detected for deploy");
      const holder = spawnCoord(["lock", "run", "deploy", "--", "sleep", "600"], { env });
      try {
        const giveUpAt = Date.now() + 60_000; // a hang guard only
        let shown = "";
        while (!shown.includes('class="holder"')) {
          assert.ok(Date.now() < giveUpAt, "the holder never showed on /locks");
          shown = await (await fetch(`${ui.root}locks`)).text();
        }
        const tickets = /name="tickets" value="(\d+)"/.exec(shown)![1];
        assertIncludes(await reset({ tickets }), "deploy is in use by 1 user(s); not reset.");
      } finally {
        holder.kill("SIGTERM");
        await holder.result;
      }
      const shown = await (await fetch(`${ui.root}locks`)).text();
      const tickets = /name="tickets" value="(\d+)"/.exec(shown)![1];
      assertIncludes(await reset({ tickets }), "Reset deploy.");
      const { stderr } = await spawnCoord(["turn", "status", "deploy"], { env }).result;
      assertIncludes(stderr, "No such queue");
    },
  });
}

Deno.test("ui: a reset of a lock queue there is none of is 404 with the console's page, as an unknown queue's action", async () => {
  await using target = await freshTarget();
  await coord(["lock", "run", "deploy", "--", "true"], target.env);
  await using ui = await startUi(target.env);
  const token = await csrfTokenOf(`${ui.root}locks`);
  for (const resource of ["typo", "deploy"]) {
    // Before: 303 to /locks, as if it had worked, with a notice.
    const response = await fetch(`${ui.root}locks/${resource}/reset`, {
      method: "POST",
      body: new URLSearchParams({ csrf: token, force: "1" }),
      redirect: "manual",
    });
    const page = await response.text();
    if (resource === "deploy") {
      // There was one: reset, then there is none.
      assert.equal(response.status, 303, page);
      continue;
    }
    assert.equal(response.status, 404, page);
    assert.match(response.headers.get("content-type")!, /^text\/html/);
    assertIncludes(page, "Not found");
    assertIncludes(page, "no lock queue &quot;typo&quot;");
  }
  const again = await fetch(`${ui.root}locks/deploy/reset`, {
    method: "POST",
    body: new URLSearchParams({ csrf: token, force: "1" }),
    redirect: "manual",
  });
  assert.equal(again.status, 404, await again.text());
});

Deno.test("ui: a job lookup with no id is 404 with the console's page, as a job not there", async () => {
  await using target = await withQueue("q");
  await using ui = await startUi(target.env);
  for (const query of ["?id=", ""]) {
    // Before: a plain-text "not found" for the path queues/q/jobs/, where it was sent.
    const response = await fetch(`${ui.root}queues/q/job${query}`, { redirect: "follow" });
    const page = await response.text();
    assert.equal(response.status, 404, page);
    assert.match(response.headers.get("content-type")!, /^text\/html/, query);
    assertIncludes(page, "Not found");
    assertIncludes(page, "no job id given");
  }
  // As the page of a job not there.
  const missing = await fetch(`${ui.root}queues/q/job?id=nope`);
  assert.equal(missing.status, 404);
  assert.match(missing.headers.get("content-type")!, /^text\/html/);
  assertIncludes(await missing.text(), "no job q/nope");
});

Deno.test("ui: --base-path serves the console under the path only", async () => {
  await using target = await freshTarget();
  await using ui = await startUi(target.env, ["--base-path", "/coord"]);
  assert.match(ui.root, /\/coord\/$/);
  const inside = await fetch(ui.root);
  assertIncludes(await inside.text(), 'href="/coord/assets/style.css"');
  const outside = await fetch(new URL("/", ui.root));
  await outside.body?.cancel();
  assert.deepEqual(outside.status, 404);
});

Deno.test("ui: /favicon.ico is an empty 204 and pages name an inline icon", async () => {
  await using target = await freshTarget();
  await using ui = await startUi(target.env, ["--base-path", "/coord"]);
  for (const url of [new URL("/favicon.ico", ui.root), `${ui.root}favicon.ico`]) {
    const response = await fetch(url);
    assert.equal(response.status, 204, String(url));
    assert.equal(await response.text(), "");
  }
  assertIncludes(await (await fetch(ui.root)).text(), '<link rel="icon" href="data:,">');
});

/** A task's `coord schedule status --json`, or undefined while it has no record. */
async function taskStatus(env: Record<string, string>, task: string) {
  const line = await coord(["schedule", "status", task, "--json"], env);
  return line.trim() === "" ? undefined : JSON.parse(line);
}

/** Resolves once the task has a record (a state in the backend; the bound is a hang guard). */
async function recorded(env: Record<string, string>, task: string): Promise<void> {
  for (let i = 0; i < 600 && !await taskStatus(env, task); i++) {
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(await taskStatus(env, task), `${task} got no record`);
}

/** A scheduler instance running a crontab of `lines`, kept in the target's scratch dir. */
async function scheduler(target: { env: Record<string, string>; dir: string }, lines: string) {
  await Deno.writeTextFile(`${target.dir}/tasks.cron`, lines);
  return spawnCoord(["schedule", "run", `${target.dir}/tasks.cron`], { env: target.env });
}

Deno.test("ui: schedule actions are refused read-only and without the CSRF token; with it they act", async () => {
  await using target = await freshTarget();
  const instance = await scheduler(target, "@every 1h name=hourly true\n");
  await recorded(target.env, "hourly");
  // Stopped, so what the console asks for stays stored for the test to read.
  instance.kill("SIGTERM");
  assert.equal((await instance.result).code, 0);
  const posts = (root: string, csrf: string) => [
    postForm(`${root}schedules/trigger`, { csrf, task: "hourly" }),
    postForm(`${root}schedules/hourly/pause`, { csrf }),
    postForm(`${root}schedules/hourly/remove`, { csrf, force: "1" }),
  ];
  {
    await using ui = await startUi(target.env, ["--read-only"]);
    const page = await (await fetch(`${ui.root}schedules`)).text();
    assert.ok(!page.includes('<form method="post"'), "a read-only page has no action form");
    for (const response of await Promise.all(posts(ui.root, "x"))) {
      assert.equal(response.status, 403);
    }
  }
  await using ui = await startUi(target.env);
  for (const response of await Promise.all(posts(ui.root, "0".repeat(64)))) {
    assert.equal(response.status, 403);
  }
  const unchanged = await taskStatus(target.env, "hourly");
  assert.deepEqual([unchanged.paused, unchanged.triggers], [undefined, 0]);

  const token = await csrfTokenOf(`${ui.root}schedules`);
  const act = async (path: string, fields: Record<string, string> = {}) => {
    const done = await postForm(`${ui.root}${path}`, { csrf: token, ...fields });
    assert.equal(done.status, 303);
    return await (await fetch(new URL(done.headers.get("location")!, ui.root))).text();
  };
  assertIncludes(await act("schedules/trigger", { task: "hourly", args: "{oops" }), "Failed:");
  assert.equal((await taskStatus(target.env, "hourly")).triggers, 0);
  assertIncludes(
    await act("schedules/trigger", { task: "hourly", args: '{"to":"ana"}' }),
    "Asked for a run of hourly now",
  );
  assert.equal((await taskStatus(target.env, "hourly")).triggers, 1);
  const paused = await act("schedules/hourly/pause");
  assertIncludes(paused, "Paused hourly.");
  assertIncludes(paused, 'class="warn paused"');
  assert.equal((await taskStatus(target.env, "hourly")).paused, true);
  assertIncludes(await (await fetch(ui.root)).text(), 'class="warn paused"');
  assertIncludes(await act("schedules/hourly/pause"), "hourly was paused already.");
  assertIncludes(await act("schedules/hourly/resume"), "Resumed hourly");
  assert.equal((await taskStatus(target.env, "hourly")).paused, undefined);
  assertIncludes(await act("schedules/hourly/remove"), "Removed hourly.");
  assert.equal(await taskStatus(target.env, "hourly"), undefined);
});

Deno.test("ui: schedules: Remove refuses a task whose tick a run holds; Force remove removes it", async () => {
  await using target = await freshTarget();
  const instance = await scheduler(
    target,
    "@every 1s name=long lease=60s  echo started; sleep 30\n",
  );
  await instance.stdoutLine(/^\[long\] started$/);
  // Killed, the instance leaves the run's lease held, and cannot make the record again.
  instance.kill("SIGKILL");
  await instance.result;
  await using ui = await startUi(target.env);
  const token = await csrfTokenOf(`${ui.root}schedules`);
  const act = async (path: string, fields: Record<string, string> = {}) => {
    const done = await postForm(`${ui.root}${path}`, { csrf: token, ...fields });
    assert.equal(done.status, 303);
    return await (await fetch(new URL(done.headers.get("location")!, ui.root))).text();
  };
  assertIncludes(await act("schedules/long/remove"), "long is running");
  assert.ok(await taskStatus(target.env, "long"), "removed while a run holds its tick");
  assertIncludes(await act("schedules/long/remove", { force: "1" }), "Removed long.");
  assert.equal(await taskStatus(target.env, "long"), undefined);
});

Deno.test("ui: Retry is refused read-only and without the CSRF token; with it a cancelled job is pending", async () => {
  await using target = await freshTarget();
  await coord(["queue", "put", "q", "--id", "a", "--handler", "h"], target.env);
  await coord(["queue", "put", "q", "--id", "b", "--handler", "h"], target.env);
  await coord(["queue", "cancel", "q/a"], target.env);
  const retry = (root: string) => `${root}queues/q/jobs/a/retry`;
  {
    await using ui = await startUi(target.env, ["--read-only"]);
    assert.equal((await postForm(retry(ui.root), { csrf: "x" })).status, 403);
  }
  await using ui = await startUi(target.env);
  assert.equal((await postForm(retry(ui.root), { csrf: "0".repeat(64) })).status, 403);
  assert.equal(await jobState(target.env, "q/a"), "cancelled");
  const token = await csrfTokenOf(`${ui.root}queues/q/jobs/a`);
  const act = async (path: string) => {
    const done = await postForm(`${ui.root}${path}`, { csrf: token });
    assert.equal(done.status, 303);
    return await (await fetch(new URL(done.headers.get("location")!, ui.root))).text();
  };
  assertIncludes(await act("queues/q/jobs/a/retry"), "Retried q/a");
  assert.equal(await jobState(target.env, "q/a"), "pending");
  assertIncludes(await act("queues/q/jobs/b/retry"), "q/b is pending; only a failed or cancelled");
});

Deno.test("ui: Run now promotes a scheduled job, offered only on a scheduled job's page", async () => {
  await using target = await freshTarget();
  await coord(
    ["queue", "put", "q", "--id", "later", "--delay", "3600", "--handler", "h"],
    target.env,
  );
  await coord(["queue", "put", "q", "--id", "now", "--handler", "h"], target.env);
  await using ui = await startUi(target.env);
  const page = await (await fetch(`${ui.root}queues/q/jobs/later`)).text();
  assertIncludes(page, "Run now");
  assert.ok(!(await (await fetch(`${ui.root}queues/q/jobs/now`)).text()).includes("Run now"));
  const token = await csrfTokenOf(`${ui.root}queues/q/jobs/later`);
  const act = async (path: string) => {
    const done = await postForm(`${ui.root}${path}`, { csrf: token });
    assert.equal(done.status, 303);
    return await (await fetch(new URL(done.headers.get("location")!, ui.root))).text();
  };
  assertIncludes(await act("queues/q/jobs/later/promote"), "Promoted q/later: ready to run now.");
  assert.equal(await jobState(target.env, "q/later"), "pending");
  assertIncludes(await act("queues/q/jobs/now/promote"), "q/now is pending; only a scheduled job");
});

Deno.test("ui: a failed flow's page offers no Retry, shows no retries for its group, and counts its completed parts", async () => {
  await using target = await freshTarget();
  const { env } = target;
  // The first part fails while the two others run: they complete after the group has failed.
  await Deno.writeTextFile(
    `${target.dir}/flow.json`,
    JSON.stringify({
      parallel: [
        { command: ["sh", "-c", "sleep 0.3; exit 1"] },
        { command: ["sleep", "1"] },
        { command: ["sleep", "1"] },
      ],
    }),
  );
  await coord(["queue", "flow", "f", `${target.dir}/flow.json`, "--id", "fl2"], env);
  await coord(["queue", "work", "f", "--allow-commands", "--drain", "--concurrency", "3"], env);
  assert.equal(await jobState(env, "f/fl2"), "failed");
  assert.equal(await jobState(env, "f/fl2.1"), "completed");
  await using ui = await startUi(env);
  const page = await (await fetch(`${ui.root}queues/f/jobs/fl2`)).text();
  assert.ok(!page.includes("/retry"), "Retry offered on a flow's group, which retry refuses");
  assert.ok(!page.includes("NaN"), "NaN on the group's page");
  assert.ok(!page.includes("<dt>retries</dt>"), "retries shown for a group, which has none");
  assertIncludes(page, "Flow: parallel parts (2/3 completed)");
  const part = await (await fetch(`${ui.root}queues/f/jobs/fl2.0`)).text();
  assert.ok(!part.includes("/retry"), "Retry offered on a flow's part");
  assertIncludes(part, "<dt>retries</dt>");
});

Deno.test("ui: a job's page shows its priority, group and own retention", async () => {
  await using target = await freshTarget();
  await coord(
    ["queue", "put", "q", "--id", "a", "--handler", "h", "--priority", "7", "--group", "acme"]
      .concat(["--keep", "100,1h"]),
    target.env,
  );
  await coord(["queue", "put", "q", "--id", "plain", "--handler", "h"], target.env);
  await using ui = await startUi(target.env);
  const page = await (await fetch(`${ui.root}queues/q/jobs/a`)).text();
  assert.match(page, /<dt>priority<\/dt>\s*<dd>7<\/dd>/);
  assert.match(page, /<dt>group<\/dt>\s*<dd>acme<\/dd>/);
  assert.match(page, /<dt>keep<\/dt>\s*<dd>100 jobs · 1 h<\/dd>/);
  const plain = await (await fetch(`${ui.root}queues/q/jobs/plain`)).text();
  for (const term of ["priority", "group", "keep"]) {
    assert.ok(!plain.includes(`<dt>${term}</dt>`), `${term} shown for a job without one`);
  }
});

async function queuePaused(env: Record<string, string>, queue: string): Promise<boolean> {
  return JSON.parse(await coord(["queue", "config", queue, "--json"], env)).paused;
}

Deno.test("ui: a queue's jobs by state, a page at a time; Pause/Resume, Purge, Remove act, guarded", async () => {
  await using target = await freshTarget();
  await Deno.writeTextFile(`${target.dir}/jobs.jsonl`, '{"handler":"h"}\n'.repeat(55));
  await coord(["queue", "put", "q", "--from", `${target.dir}/jobs.jsonl`], target.env);
  await coord(["queue", "put", "q", "--id", "gone", "--handler", "h"], target.env);
  await coord(["queue", "cancel", "q/gone"], target.env);
  await using ui = await startUi(target.env);
  const first = await (await fetch(`${ui.root}queues/q?state=pending`)).text();
  assert.equal(first.match(/class="state-pending"/g)?.length, 50);
  const next = /<a class="next" href="([^"]+)"/.exec(first)?.[1];
  assert.ok(next, "no next page link");
  const second = await (await fetch(new URL(next.replaceAll("&amp;", "&"), ui.root))).text();
  assert.equal(second.match(/class="state-pending"/g)?.length, 5);
  assert.ok(!second.includes('class="next"'), "a next link on the last page");
  assertIncludes(await (await fetch(`${ui.root}queues/q?state=cancelled`)).text(), ">gone<");

  const posts = (csrf: string) => [
    postForm(`${ui.root}queues/q/pause`, { csrf }),
    postForm(`${ui.root}queues/q/purge`, { csrf, state: "cancelled" }),
  ];
  for (const response of await Promise.all(posts("0".repeat(64)))) {
    assert.equal(response.status, 403);
  }
  assert.equal(await queuePaused(target.env, "q"), false);
  assert.equal(await jobState(target.env, "q/gone"), "cancelled");
  const token = await csrfTokenOf(`${ui.root}queues/q`);
  const act = async (path: string, fields: Record<string, string> = {}) => {
    const done = await postForm(`${ui.root}${path}`, { csrf: token, ...fields });
    assert.equal(done.status, 303);
    return await (await fetch(new URL(done.headers.get("location")!, ui.root))).text();
  };
  assertIncludes(await act("queues/q/pause"), 'class="warn queue-paused"');
  assert.equal(await queuePaused(target.env, "q"), true);
  assertIncludes(await (await fetch(ui.root)).text(), 'class="warn queue-paused"');
  assertIncludes(await act("queues/q/resume"), "Resumed q.");
  assert.equal(await queuePaused(target.env, "q"), false);
  assertIncludes(await act("queues/q/purge", { state: "pending" }), "Failed: cannot purge");
  assertIncludes(await act("queues/q/purge", { state: "cancelled" }), "Purged 1 cancelled job(s)");
  const cancelled = await (await fetch(`${ui.root}queues/q?state=cancelled`)).text();
  assert.ok(!cancelled.includes(">gone<"), "a purged job is still listed");
  {
    await using readOnly = await startUi(target.env, ["--read-only"]);
    const response = await postForm(`${readOnly.root}queues/q/pause`, { csrf: token });
    assert.equal(response.status, 403);
    assert.equal(await queuePaused(target.env, "q"), false);
  }
  // As `coord queue remove`: 55 pending jobs, so only a forced removal removes it.
  assertIncludes(cancelled, "Force remove queue");
  assertIncludes(await act("queues/q/remove"), "q holds 55 unfinished job(s); not removed.");
  assertIncludes(await act("queues/q/remove", { force: "1" }), "Removed q and its 55 job(s).");
  const page = await fetch(`${ui.root}queues/q`);
  await page.body?.cancel();
  assert.equal(page.status, 404, "the removed queue's page");
  assert.equal((await postForm(`${ui.root}queues/q/remove`, { csrf: token })).status, 404);
});

Deno.test("ui: a refused Remove queue stays on the queue's page, saying why; a done one goes to the overview", async () => {
  await using target = await freshTarget();
  const url = target.env.COORD_URL;
  await coord(["queue", "put", "q", "--id", "a", "--handler", "h", "--url", url]);
  await using ui = await startUi({}, ["--url", url]);
  const token = await csrfTokenOf(`${ui.root}queues/q`);
  const remove = async (fields: Record<string, string> = {}) => {
    const done = await postForm(`${ui.root}queues/q/remove`, { csrf: token, ...fields });
    assert.equal(done.status, 303);
    const location = new URL(done.headers.get("location")!, ui.root);
    return { path: location.pathname, page: await (await fetch(location)).text() };
  };
  // It went to the overview, away from the jobs that the refusal names.
  const refused = await remove();
  assert.equal(refused.path, "/queues/q");
  assertIncludes(refused.page, "q holds 1 unfinished job(s); not removed.");
  assertIncludes(refused.page, "Force remove queue");
  const removed = await remove({ force: "1" });
  assert.equal(removed.path, "/");
  assertIncludes(removed.page, "Removed q and its 1 job(s).");
});

Deno.test("ui: a Purge of a queue's last jobs goes to the overview, with its notice", async () => {
  await using target = await freshTarget();
  await coord(["queue", "put", "vq", "--id", "a", "--handler", "h"], target.env);
  await coord(["queue", "put", "kept", "--id", "a", "--handler", "h"], target.env);
  await coord(["queue", "put", "kept", "--id", "b", "--handler", "h"], target.env);
  for (const ref of ["vq/a", "kept/a"]) await coord(["queue", "cancel", ref], target.env);
  await using ui = await startUi(target.env);
  const token = await csrfTokenOf(`${ui.root}queues/vq`);
  const purge = async (queue: string) => {
    const done = await postForm(`${ui.root}queues/${queue}/purge`, {
      csrf: token,
      state: "cancelled",
    });
    assert.equal(done.status, 303);
    const location = new URL(done.headers.get("location")!, ui.root);
    const page = await fetch(location);
    return { path: location.pathname, status: page.status, text: await page.text() };
  };
  // The queue is no more: its page, where it went before, said 404 and lost the notice.
  const last = await purge("vq");
  assert.deepEqual([last.path, last.status], ["/", 200]);
  assertIncludes(last.text, "Purged 1 cancelled job(s) of vq.");
  const some = await purge("kept");
  assert.deepEqual([some.path, some.status], ["/queues/kept", 200]);
  assertIncludes(some.text, "Purged 1 cancelled job(s) of kept.");
});

for (const [backend, url] of EVERY_BACKEND) {
  Deno.test({
    name: `ui (${backend}): a job holding foreign data is shown as such (409), not as not found`,
    ignore: backend !== "sqlite" && url === undefined,
    async fn() {
      await using target = await freshTarget(url);
      await coord(["queue", "put", "alien", "--id", "j", "--handler", "h"], target.env);
      {
        await using opened = await connect({
          url: target.env.COORD_URL,
          namespace: target.env.COORD_NAMESPACE,
          env: {},
        });
        if (opened.kind === "sqlite") {
          (opened as SqliteBackend).db.exec(
            "UPDATE coord_queue_job SET spec = 'junk' WHERE id = 'j'",
          );
        } else {
          const redis = opened as RedisBackend;
          const key = redis.key("queue", "alien", "jobs");
          await redis.conn.send(key, ["HSET", key, "j", "junk"]);
        }
      }
      await using ui = await startUi(target.env);
      const response = await fetch(`${ui.root}queues/alien/jobs/j`);
      const page = await response.text();
      assert.equal(response.status, 409, page);
      assertIncludes(page, "Not coord&#39;s data");
      assert.match(page, /another program/);
      const missing = await fetch(`${ui.root}queues/alien/jobs/nope`);
      const missingPage = await missing.text();
      assert.equal(missing.status, 404);
      assertIncludes(missingPage, "no job alien/nope");
      // The queue's own page lists it, and was a bare 409: no counts, no actions.
      const queuePage = await fetch(`${ui.root}queues/alien`);
      const queueText = await queuePage.text();
      assert.equal(queuePage.status, 200, queueText);
      assertIncludes(queueText, "Jobs by state");
      assertIncludes(queueText, "Pause");
      assert.match(queueText, /class="bad queue-list-foreign">[^<]*another program/);
    },
  });
}

for (const [backend, url] of EVERY_BACKEND) {
  Deno.test({
    name:
      `ui (${backend}): the overview shows every healthy queue and names one holding foreign data`,
    ignore: backend !== "sqlite" && url === undefined,
    async fn() {
      await using target = await freshTarget(url);
      for (const queue of ["a", "alien"]) {
        await coord(["queue", "put", queue, "--handler", "h"], target.env);
      }
      {
        await using opened = await connect({
          url: target.env.COORD_URL,
          namespace: target.env.COORD_NAMESPACE,
          env: {},
        });
        await plantForeignQueue(opened, "alien");
      }
      await using ui = await startUi(target.env);
      const response = await fetch(ui.root);
      const page = await response.text();
      assert.equal(response.status, 200, page);
      assertIncludes(page, `href="/queues/a"`);
      assert.match(page, /class="bad queue-foreign">queue &quot;alien&quot;: .*another program/);
    },
  });
}

for (const [backend, url] of EVERY_BACKEND) {
  Deno.test({
    name:
      `ui (${backend}): a job whose lease ran out shows stalled on its page, its queue's and the overview`,
    ignore: backend !== "sqlite" && url === undefined,
    async fn() {
      await using target = await freshTarget(url);
      await coord(["queue", "put", "ghost", "--id", "dead", "--handler", "h"], target.env);
      {
        await using opened = await connect({
          url: target.env.COORD_URL,
          namespace: target.env.COORD_NAMESPACE,
          env: {},
        });
        // A worker that claims and then vanishes (as after SIGKILL).
        await claimJob(opened.queue, "ghost", { worker: "killed", leaseMs: 1 });
        const { leaseUntil } = await getJob(opened, "ghost/dead");
        assert.ok(leaseUntil !== undefined, "an active job has its lease's end");
        await until(async () => await opened.now() > leaseUntil, { what: "the lease's end" });
      }
      await using ui = await startUi(target.env);
      const stalled = /class="warn job-stalled">stalled: lease ran out at <time[^>]*>[^<]+<\/time>/;
      for (const path of ["queues/ghost/jobs/dead", "queues/ghost"]) {
        const page = await (await fetch(`${ui.root}${path}`)).text();
        assert.match(page, /class="state-active">active</, path);
        assert.match(page, stalled, path);
      }
      for (const path of ["", "queues/ghost"]) {
        assertIncludes(await (await fetch(`${ui.root}${path}`)).text(), "(1 stalled)");
      }
    },
  });
}

for (const [backend, url] of EVERY_BACKEND) {
  Deno.test({
    name: `ui (${backend}): a lock, barrier, task or queue holding foreign data hides none of ` +
      `the others on the overview, its page and /metrics, and is named there`,
    ignore: backend !== "sqlite" && url === undefined,
    async fn() {
      await using target = await freshTarget(url);
      {
        await using opened = await connect({
          url: target.env.COORD_URL,
          namespace: target.env.COORD_NAMESPACE,
          env: {},
        });
        for (const name of ["lok", "lalien"]) await (await lock(opened, name)).release();
        await plantForeignLock(opened, "lalien");
        for (const name of ["bok", "balien"]) await barrier(opened, name, 1, { delayMs: 0 });
        await plantForeignBarrierField(opened, "balien");
        for (const queue of ["qok", "qalien"]) await putJob(opened, queue, { handler: "h" });
        await plantForeignQueue(opened, "qalien");
        const app = new Scheduler({ backend: opened });
        app.task({ name: "tok", interval: "1h" }, () => {});
        const stop = new AbortController();
        const running = app.run({ signal: stop.signal });
        await until(async () => (await opened.schedule.list()).length === 1, { what: "tok" });
        stop.abort();
        await running;
        await opened.schedule.write("talien", { expect: 0, value: "not a coord record" });
      }
      await using ui = await startUi(target.env);
      const pages: [string, string[]][] = [
        ["", ["qok", "tok", "lok", "bok"]],
        ["locks", ["lok"]],
        ["barriers", ["bok"]],
        ["schedules", ["tok"]],
      ];
      for (const [path, shown] of pages) {
        const response = await fetch(`${ui.root}${path}`);
        const page = await response.text();
        assert.equal(response.status, 200, `/${path}: ${page}`);
        for (const name of shown) assertIncludes(page, `>${name}<`);
        for (const [kind, name] of [["lock", "lalien"], ["barrier", "balien"]]) {
          if (path !== "" && path !== `${kind}s`) continue;
          assert.match(
            page,
            new RegExp(
              `class="bad ${kind}-foreign">${kind} &quot;${name}&quot;: .*another program`,
            ),
          );
        }
        if (path === "" || path === "schedules") {
          assert.match(page, /class="bad schedule-foreign">schedule &quot;talien&quot;: /);
        }
      }
      const metrics = await fetch(`${ui.root}metrics`);
      const text = await metrics.text();
      assert.equal(metrics.status, 200, text);
      assertIncludes(text, 'coord_queue_jobs{queue="qok",state="pending"} 1');
      assertIncludes(text, 'coord_lock_holders{resource="lok"} 0');
      assertIncludes(text, 'coord_schedule_runs_total{task="tok"} 0');
      assertIncludes(text, "# TYPE coord_foreign_records gauge");
      for (const kind of ["queue", "lock", "schedule"]) {
        assertIncludes(text, `coord_foreign_records{kind="${kind}"} 1`);
      }
      assert.match(text, /^# lock "lalien": .*another program/m);
      assert.doesNotMatch(text, /^[^#].*(qalien|lalien|talien)/m, "a sample of foreign data");
    },
  });
}

for (const [backend, url] of EVERY_BACKEND) {
  Deno.test({
    name: `ui (${backend}): a queue's page answers 400 with the reason for a bad state or ` +
      `cursor, and 404 for a queue that does not exist`,
    ignore: backend !== "sqlite" && url === undefined,
    async fn() {
      await using target = await freshTarget(url);
      await coord(["queue", "put", "q1", "--handler", "h"], target.env);
      await using ui = await startUi(target.env);
      const cases: [string, number, string][] = [
        ["queues/q1?state=bogus", 400, "no job state &quot;bogus&quot;"],
        ["queues/q1?after=garbage", 400, "is not a cursor of this list"],
        ["queues/nope", 404, "no queue &quot;nope&quot;"],
        ["queues/q1", 200, "Jobs by state"],
        // No job can have this id: was a 404 echoing the NUL itself into the page.
        ["queues/q1/jobs/%00", 400, "holds NUL"],
      ];
      for (const [path, status, reason] of cases) {
        const response = await fetch(`${ui.root}${path}`);
        const page = await response.text();
        assert.equal(response.status, status, `/${path}: ${page}`);
        assertIncludes(page, reason);
      }
    },
  });
}

Deno.test("ui: a --base-path with a . or .. segment, which a browser resolves away, exits 64", async () => {
  for (const base of ["/..", "/.", "/a/../b", "/a/./b", "/coord/.."]) {
    // Served, it would run on: the guard makes that a failure, not a hang.
    await using process = spawnCoord(
      ["ui", "--url", "sqlite::memory:", "--listen", "127.0.0.1:0", "--base-path", base],
    );
    const { code, stderr } = await guarded(process.result, `exit of coord ui at ${base}`);
    assert.deepEqual(code, 64, `${base}: ${stderr}`);
    assert.deepEqual(stderr.trim().split("\n").length, 1);
    assertIncludes(stderr, "--base-path");
  }
});

Deno.test("ui: Cancel of a job cancelled already or finished says so, as coord queue cancel does", async () => {
  await using target = await freshTarget();
  await coord(["queue", "put", "q", "--id", "done", "--", "true"], target.env);
  await coord(["queue", "work", "q", "--allow-commands", "--drain"], target.env);
  await coord(["queue", "put", "q", "--id", "a", "--handler", "h"], target.env);
  await using ui = await startUi(target.env);
  const token = await csrfTokenOf(`${ui.root}queues/q/jobs/a`);
  const act = async (path: string) => {
    const done = await postForm(`${ui.root}${path}`, { csrf: token });
    assert.equal(done.status, 303);
    return await (await fetch(new URL(done.headers.get("location")!, ui.root))).text();
  };
  assertIncludes(await act("queues/q/jobs/a/cancel"), "Cancelled q/a.");
  const again = await act("queues/q/jobs/a/cancel");
  assertIncludes(again, "q/a was cancelled already.");
  assert.ok(!again.includes("has not started"), again);
  assertIncludes(
    await act("queues/q/jobs/done/cancel"),
    "q/done is completed; a finished job cannot be cancelled.",
  );
});
