/**
 * `coord ui` over plain HTTP, as a real process on a free port: who may do what (read-only,
 * CSRF, basic auth, the loopback rule), escaping of attacker-controlled text, /metrics and
 * /health, the base path.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnCoord } from "./support/cli.ts";
import { sharedRedisUrl } from "./support/shared_servers.ts";
import { coord, csrfTokenOf, freshTarget, startUi } from "./ui_support.ts";

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

Deno.test("ui: coord ui --help lists its flags and where credentials come from", async () => {
  const { code, stdout } = await spawnCoord(["ui", "--help"]).result;
  assert.equal(code, 0);
  for (const flag of ["--listen", "--read-only", "--base-path", "COORD_UI_USER", "/metrics"]) {
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
  assertIncludes(text, "# TYPE coord_queue_completed_total counter");
  assertIncludes(text, "# TYPE coord_lock_waiters gauge");
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

Deno.test({
  name: "ui (redis): a barrier someone arrives at is listed by itself; Abort ends its wait",
  ignore: redisUrl === undefined,
  async fn() {
    await using target = await freshTarget(redisUrl);
    await using ui = await startUi(target.env);
    const waiter = spawnCoord(["barrier", "gate", "2", "--timeout", "600"], { env: target.env });
    const giveUpAt = Date.now() + 60_000; // a hang guard only
    while (!(await (await fetch(`${ui.root}barriers`)).text()).includes("1/2 arrived")) {
      assert.ok(Date.now() < giveUpAt, "the barrier never showed on /barriers");
    }
    const token = await csrfTokenOf(`${ui.root}barriers`);
    assert.equal((await postForm(`${ui.root}barriers/gate/abort`, { csrf: token })).status, 303);
    assert.equal((await waiter.result).code, 75);
  },
});

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
