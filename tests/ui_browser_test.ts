/**
 * `coord ui` in a real browser (headless Chromium) against the real CLI, on SQLite and Redis:
 * pages update without a reload as the CLI changes things, actions work from their buttons,
 * attacker-controlled text stays text, read-only refuses, and every page fits a 390 px phone.
 * With COORD_UI_SCREENSHOTS=DIR it saves each page there at laptop and phone widths.
 *
 * @module
 */

import assert from "node:assert/strict";
import { spawnCoord } from "./support/cli.ts";
import { sharedRedisUrl } from "./support/shared_servers.ts";
import {
  chromiumAvailable,
  coord,
  csrfTokenOf,
  freshTarget,
  launchBrowser,
  liveText,
  openLive,
  startUi,
  stillTheSamePage,
  stop,
  until,
} from "./ui_support.ts";

const redisUrl = await sharedRedisUrl("redis");
const clusterUrl = await sharedRedisUrl("cluster");
const sentinelUrl = await sharedRedisUrl("sentinel");
const hasChromium = chromiumAvailable();
const BACKENDS = [
  ["sqlite", undefined],
  ["redis", redisUrl],
  ["cluster", clusterUrl],
  ["sentinel", sentinelUrl],
] as const;

for (const [backend, url] of BACKENDS) {
  const ignore = !hasChromium || (backend !== "sqlite" && url === undefined);

  Deno.test({
    name: `ui browser (${backend}): a job put by the CLI appears on the open overview`,
    ignore,
    async fn() {
      await using target = await freshTarget(url);
      await using ui = await startUi(target.env);
      await using browser = await launchBrowser();
      const page = await browser.newPage();
      await openLive(page, ui.root);
      await coord(["queue", "put", "arrivals", "--handler", "h"], target.env);
      await liveText(page, "arrivals");
      assert.ok(await stillTheSamePage(page), "the page was reloaded");
    },
  });

  Deno.test({
    name: `ui browser (${backend}): a lock's holder changes on the open page as tickets move`,
    ignore,
    async fn() {
      await using target = await freshTarget(url);
      await using ui = await startUi(target.env);
      await using browser = await launchBrowser();
      const page = await browser.newPage();
      await openLive(page, `${ui.root}locks`);
      const holder = (label: string) =>
        spawnCoord(["lock", "run", "deploy", "--label", label, "--", "sleep", "600"], {
          env: target.env,
        });
      const first = holder("first-holder");
      let second: ReturnType<typeof holder> | undefined;
      try {
        await until(page, `document.querySelector(".holder")?.textContent === "first-holder"`);
        second = holder("second-holder");
        await liveText(page, "second-holder");
        // SIGTERM: coord passes it to sleep and gives the lock to the next ticket.
        first.kill("SIGTERM");
        await until(page, `document.querySelector(".holder")?.textContent === "second-holder"`);
        assert.ok(await stillTheSamePage(page), "the page was reloaded");
      } finally {
        for (const process of [first, second]) stop(process);
        await Promise.all([first.result, second?.result]);
      }
    },
  });

  Deno.test({
    name: `ui browser (${backend}): Run now runs an hourly task; Pause shows paused after a reload`,
    ignore,
    async fn() {
      await using target = await freshTarget(url);
      // Its first tick is up to an hour away: only the trigger makes it run.
      await Deno.writeTextFile(`${target.dir}/tasks.cron`, "@every 1h name=hourly  echo ran\n");
      const instance = spawnCoord(["schedule", "run", `${target.dir}/tasks.cron`], {
        env: target.env,
      });
      try {
        await using ui = await startUi(target.env);
        await using browser = await launchBrowser();
        const page = await browser.newPage();
        await openLive(page, `${ui.root}schedules`);
        await liveText(page, "never ran");
        await Promise.all([
          page.waitForNavigation(),
          page.click("form.action[action$='/schedules/trigger'] button"),
        ]);
        assert.ok((await page.content()).includes("Asked for a run of hourly now"));
        await instance.stdoutLine(/^\[hourly\] ran$/);
        await until(page, `document.querySelector("#live .ok")?.textContent === "success"`);
        await liveText(page, "(run now)");
        await Promise.all([
          page.waitForNavigation(),
          page.click("form.action[action$='/pause'] button"),
        ]);
        await page.reload();
        await until(page, `document.querySelector("#live .paused")?.textContent === "paused"`);
        assert.ok(await page.$("form.action[action$='/resume']"), "no Resume after Pause");
        const status = JSON.parse(
          await coord(["schedule", "status", "hourly", "--json"], target.env),
        );
        assert.deepEqual([status.paused, status.runs, status.triggered?.outcome], [
          true,
          1,
          "success",
        ]);
      } finally {
        stop(instance);
        await instance.result;
      }
    },
  });

  Deno.test({
    name: `ui browser (${backend}): Retry on a failed job's page; a running worker completes it`,
    ignore,
    async fn() {
      await using target = await freshTarget(url);
      // Fails the first time only: the flag file is there when it is retried.
      const once = `test -e ${target.dir}/flag || { touch ${target.dir}/flag; exit 3; }`;
      await coord(
        ["queue", "put", "q", "--id", "j1", "--retries", "0", "--", "sh", "-c", once],
        target.env,
      );
      const worker = spawnCoord(["queue", "work", "q", "--allow-commands"], { env: target.env });
      try {
        await using ui = await startUi(target.env);
        await using browser = await launchBrowser();
        const page = await browser.newPage();
        await openLive(page, `${ui.root}queues/q/jobs/j1`);
        await until(
          page,
          `document.querySelector("#live .state-failed")?.textContent === "failed"`,
        );
        await Promise.all([
          page.waitForNavigation(),
          page.click("form.action[action$='/retry'] button"),
        ]);
        assert.ok((await page.content()).includes("Retried q/j1"));
        await until(
          page,
          `document.querySelector("#live .state-completed")?.textContent === "completed"`,
        );
        assert.equal(
          JSON.parse(await coord(["queue", "show", "q/j1", "--json"], target.env)).state,
          "completed",
        );
      } finally {
        stop(worker);
        await worker.result;
      }
    },
  });

  Deno.test({
    name: `ui browser (${backend}): cancel from a job's page; its <script> args stay text`,
    ignore,
    async fn() {
      await using target = await freshTarget(url);
      const args = { note: "<script>alert('args')</script><img src=x onerror=alert(2)>" };
      await coord(
        ["queue", "put", "q", "--id", "j1", "--handler", "h", "--args", JSON.stringify(args)],
        target.env,
      );
      await using ui = await startUi(target.env);
      await using browser = await launchBrowser();
      const page = await browser.newPage();
      const dialogs: string[] = [];
      page.on("dialog", (dialog) => {
        dialogs.push(dialog.message());
        dialog.type() === "confirm" ? dialog.accept() : dialog.dismiss();
      });
      await openLive(page, `${ui.root}queues/q/jobs/j1`);
      const shown = await page.evaluate(`document.querySelector(".job-args").textContent`);
      assert.ok(String(shown).includes(args.note), `args shown as ${shown}`);
      assert.equal(await page.$("#live img"), null, "an <img> from the args became an element");
      await Promise.all([page.waitForNavigation(), page.click("form.action button")]);
      await liveText(page, "cancelled");
      assert.ok((await page.content()).includes("Cancelled q/j1."));
      assert.deepEqual(dialogs, ["Cancel q/j1?"], "only the confirmation was shown");
    },
  });
}

Deno.test({
  name: "ui browser: --read-only under --base-path is live, shows no button, refuses a POST (403)",
  ignore: !hasChromium,
  async fn() {
    await using target = await freshTarget();
    await coord(["queue", "put", "q", "--id", "j1", "--handler", "h"], target.env);
    await using ui = await startUi(target.env, ["--read-only", "--base-path", "/coord"]);
    await using browser = await launchBrowser();
    const page = await browser.newPage();
    await openLive(page, `${ui.root}queues/q/jobs/j1`);
    assert.equal(await page.$("button[type=submit]:not(.lookup button)"), null);
    const status = await page.evaluate(
      `fetch("/coord/queues/q/jobs/j1/cancel", { method: "POST" }).then((r) => r.status)`,
    );
    assert.equal(status, 403);
  },
});

Deno.test({
  name:
    "ui browser: at 1280 px the job table breaks no ordinary word, a long id stays on the page, and nothing fails to load",
  ignore: !hasChromium,
  async fn() {
    await using target = await freshTarget();
    const said = "the upstream service answered with an error again and again ".repeat(6);
    await coord(["queue", "put", "q", "--id", "x".repeat(150), "--handler", "h"], target.env);
    for (const id of ["j1", "j2"]) {
      await coord(
        ["queue", "put", "q", "--id", id, "--", "sh", "-c", `echo "${said}" >&2; exit 1`],
        target.env,
      );
    }
    await coord(["queue", "work", "q", "--allow-commands", "--drain"], target.env);
    await using ui = await startUi(target.env);
    await using browser = await launchBrowser();
    const page = await browser.newPage();
    const problems: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    page.on("response", (response) => {
      if (response.status() >= 400) problems.push(`${response.status()} ${response.url()}`);
    });
    await page.setViewport({ width: 1280, height: 900 });
    await openLive(page, `${ui.root}queues/q`);
    // A word broken inside is laid out as more than one box.
    const broken = await page.evaluate(`[...document.querySelectorAll("th, td [class^=state-]")]
      .filter((element) => {
        const range = document.createRange();
        range.selectNodeContents(element);
        return range.getClientRects().length > 1;
      })
      .map((element) => element.textContent)`);
    assert.deepEqual(broken, [], "words broken across lines");
    const overflow = await page.evaluate(
      `document.documentElement.scrollWidth - document.documentElement.clientWidth`,
    );
    assert.ok(Number(overflow) <= 0, `the page is ${overflow} px wider than the window`);
    assert.deepEqual(problems, []);
  },
});

Deno.test({
  name:
    "ui browser: a form on another site's page cannot act, even with the token; the console's page opened as localhost can",
  ignore: !hasChromium,
  async fn() {
    await using target = await freshTarget();
    await coord(["queue", "put", "zz", "--handler", "h"], target.env);
    await using ui = await startUi(target.env);
    const token = await csrfTokenOf(`${ui.root}queues/zz`);
    const action = `${ui.root}queues/zz/pause`;
    // Another origin (another port is another origin, the same site) posting the leaked token.
    await using elsewhere = Deno.serve(
      { hostname: "127.0.0.1", port: 0, onListen() {} },
      () =>
        new Response(
          `<!doctype html><form method="post" action="${action}">` +
            `<input name="csrf" value="${token}"></form>` +
            `<script>document.forms[0].submit()</script>`,
          { headers: { "content-type": "text/html" } },
        ),
    );
    await using browser = await launchBrowser();
    const page = await browser.newPage();
    const refused = page.waitForResponse((response) => response.url() === action);
    await page.goto(`http://127.0.0.1:${elsewhere.addr.port}/`);
    assert.equal((await refused).status(), 403);
    const paused = async () =>
      JSON.parse(await coord(["queue", "config", "zz", "--json"], target.env)).paused;
    assert.equal(await paused(), false);
    page.on("dialog", (dialog) => dialog.accept()); // Pause asks first
    await openLive(page, `${ui.root.replace("127.0.0.1", "localhost")}queues/zz`);
    await Promise.all([
      page.waitForNavigation(),
      page.click("form.action[action$='/pause'] button"),
    ]);
    assert.ok((await page.content()).includes("Paused zz"));
    assert.equal(await paused(), true);
  },
});
