/**
 * A page left open in headless Chromium while its `coord ui` is killed and started again on the
 * same port (a deploy, a crash): it says it reconnects, and is live again by itself, without a
 * reload, with what changed meanwhile and forms the new console takes.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import { spawnCoord } from "./support/cli.ts";
import { redisServerAvailable, startStandalone } from "./support/redis_servers.ts";
import { startProxy } from "./support/proxy.ts";
import { guarded } from "./support/wait.ts";
import {
  aMinuteLater,
  chromiumAvailable,
  coord,
  freshTarget,
  launchBrowser,
  liveText,
  openLive,
  type RunningUi,
  startUi,
  startWaitingUi,
  stillTheSamePage,
  stop,
  until,
} from "./ui_support.ts";

/** Kills `ui` with SIGKILL (coord itself: spawned with no wrapper) and waits for its end. */
async function kill(ui: RunningUi): Promise<void> {
  ui.process.kill("SIGKILL");
  await guarded(ui.process.result, "exit of the killed coord ui");
}

/** `--listen` for the address `ui` listened on. */
function sameAddress(ui: RunningUi): string[] {
  return ["--listen", new URL(ui.root).host];
}

/** Resolves once the page says it lost its console and reconnects. */
function reconnecting(page: Page): Promise<void> {
  return until(
    page,
    `document.getElementById("stream").textContent === "reconnecting…" && document.querySelector("main > .banner")?.textContent.endsWith("reconnecting…")`,
  );
}

/** Resolves once the page follows its console again, no banner left. */
function liveAgain(page: Page, also = "true"): Promise<void> {
  return until(
    page,
    `document.getElementById("stream").textContent === "live" && !document.querySelector(".banner") && ${also}`,
  );
}

/**
 * Resolves once the page's header says `text`, and a minute of the page's time later (its
 * retries' timers run at once) has asked nothing more.
 */
async function saysAndAsksNoMore(page: Page, text: string): Promise<void> {
  const asked: string[] = [];
  page.on("request", (request) => asked.push(request.url()));
  await until(page, `document.getElementById("stream").textContent === ${JSON.stringify(text)}`);
  const refusedAfter = asked.length;
  await aMinuteLater(page);
  assert.equal(asked.length, refusedAfter, `asked again: ${asked.join(", ")}`);
}

Deno.test({
  name:
    "ui: an open page is live again by itself once its killed console is started again, with credentials and a base path, and its forms act",
  ignore: !chromiumAvailable(),
  async fn() {
    await using target = await freshTarget();
    // Its first tick is an hour away: the task is there, and runs only when asked.
    await Deno.writeTextFile(`${target.dir}/tasks.cron`, "@every 1h name=hourly  echo ran\n");
    await using _instance = spawnCoord(["schedule", "run", `${target.dir}/tasks.cron`], {
      env: target.env,
    });
    const env = { ...target.env, COORD_UI_USER: "ops", COORD_UI_PASSWORD: "s3cret" };
    const args = ["--base-path", "/coord"];
    const first = await startUi(env, args);
    let second: RunningUi | undefined;
    try {
      await using browser = await launchBrowser();
      const page = await browser.newPage();
      await page.authenticate({ username: "ops", password: "s3cret" });
      await openLive(page, `${first.root}schedules`);
      await liveText(page, "never ran");
      await kill(first);
      await reconnecting(page);
      // Changed while no console runs: the page shows it once back.
      await coord(["schedule", "pause", "hourly"], target.env);
      second = await startUi(env, [...args, ...sameAddress(first)]);
      await liveAgain(page, `document.querySelector("#live .paused")?.textContent === "paused"`);
      assert.ok(await stillTheSamePage(page), "the page was reloaded");
      // The form outside the live part, served by the killed console, is taken by this one.
      await page.type("form.run-with-args input[name=args]", '{"to":"ana"}');
      await Promise.all([
        page.waitForNavigation(),
        page.click("form.run-with-args button"),
      ]);
      assert.match(await page.content(), /Asked for a run of hourly now/);
    } finally {
      for (const ui of [first, second]) stop(ui?.process);
      await Promise.all([first.process.result, second?.process.result]);
    }
  },
});

Deno.test({
  name:
    "ui: an open page whose console restarts while Redis is away says so, and is live again by itself once Redis answers",
  ignore: !redisServerAvailable() || !chromiumAvailable(),
  async fn() {
    const server = await startStandalone();
    try {
      await using target = await freshTarget(server.url);
      const first = await startUi(target.env);
      let second: RunningUi | undefined;
      try {
        await using browser = await launchBrowser();
        const page = await browser.newPage();
        await openLive(page, first.root);
        await kill(first);
        await server.halt();
        await reconnecting(page);
        // Its /live is a 503 meanwhile, and its /health, which the page asks.
        second = await startWaitingUi(target.env, sameAddress(first));
        await until(
          page,
          `document.getElementById("stream").textContent === "backend unavailable — retrying"`,
        );
        await server.start();
        await liveAgain(page);
        assert.ok(await stillTheSamePage(page), "the page was reloaded");
      } finally {
        for (const ui of [first, second]) stop(ui?.process);
        await Promise.all([first.process.result, second?.process.result]);
      }
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name:
    "ui: an open page whose console is started again with other credentials says so, and asks nothing more",
  ignore: !chromiumAvailable(),
  async fn() {
    await using target = await freshTarget();
    const credentials = (password: string) => ({
      ...target.env,
      COORD_UI_USER: "ops",
      COORD_UI_PASSWORD: password,
    });
    const first = await startUi(credentials("before"));
    let second: RunningUi | undefined;
    try {
      await using browser = await launchBrowser();
      const page = await browser.newPage();
      // Given again at each challenge: the new console's 401 comes back once more.
      await page.authenticate({ username: "ops", password: "before" });
      await openLive(page, first.root);
      await kill(first);
      await reconnecting(page);
      second = await startUi(credentials("after"), sameAddress(first));
      await saysAndAsksNoMore(
        page,
        "not live: the console asks for other credentials — reload to try again",
      );
    } finally {
      for (const ui of [first, second]) stop(ui?.process);
      await Promise.all([first.process.result, second?.process.result]);
    }
  },
});

Deno.test({
  name:
    "ui: an open page whose console is started again under another base path says so, and asks nothing more",
  ignore: !chromiumAvailable(),
  async fn() {
    await using target = await freshTarget();
    const first = await startUi(target.env, ["--base-path", "/before"]);
    let second: RunningUi | undefined;
    try {
      await using browser = await launchBrowser();
      const page = await browser.newPage();
      await openLive(page, first.root);
      await kill(first);
      await reconnecting(page);
      second = await startUi(target.env, ["--base-path", "/after", ...sameAddress(first)]);
      await saysAndAsksNoMore(
        page,
        "not live: no console answers under /before/ here now — reload to try again",
      );
    } finally {
      for (const ui of [first, second]) stop(ui?.process);
      await Promise.all([first.process.result, second?.process.result]);
    }
  },
});

/** A schedule file of one task, `hourly`, whose first tick is an hour away, in `dir`. */
async function hourlyTask(dir: string): Promise<string> {
  const path = `${dir}/tasks.cron`;
  await Deno.writeTextFile(path, "@every 1h name=hourly  echo ran\n");
  return path;
}

Deno.test({
  name:
    "ui: an open page that finds another console at its address (another backend) says so and stops following, and its kept form acts on neither",
  ignore: !chromiumAvailable(),
  async fn() {
    await using ours = await freshTarget();
    await using theirs = await freshTarget();
    await using _ours = spawnCoord(["schedule", "run", await hourlyTask(ours.dir)], {
      env: ours.env,
    });
    await using _theirs = spawnCoord(["schedule", "run", await hourlyTask(theirs.dir)], {
      env: theirs.env,
    });
    const first = await startUi(ours.env);
    let second: RunningUi | undefined;
    try {
      await using browser = await launchBrowser();
      const page = await browser.newPage();
      await openLive(page, `${first.root}schedules`);
      await liveText(page, "hourly");
      await kill(first);
      await reconnecting(page);
      second = await startUi(theirs.env, sameAddress(first));
      await until(
        page,
        `document.getElementById("stream").textContent === "not live: another console answers here now — reload to try again"`,
      );
      assert.ok(await stillTheSamePage(page), "the page was reloaded");
      // Its form still holds the token of the console that served it: the other one refuses it.
      await page.type("form.run-with-args input[name=args]", '{"to":"ana"}');
      const [answer] = await Promise.all([
        page.waitForNavigation(),
        page.click("form.run-with-args button"),
      ]);
      assert.equal(answer?.status(), 403);
    } finally {
      for (const ui of [first, second]) stop(ui?.process);
      await Promise.all([first.process.result, second?.process.result]);
    }
  },
});

Deno.test({
  name:
    "ui: an open page whose address answers something other than the console's stream (a proxy's login page) says so, and asks nothing more",
  ignore: !chromiumAvailable(),
  async fn() {
    await using target = await freshTarget();
    const ui = await startUi(target.env);
    const { hostname, port } = new URL(ui.root);
    let login: Deno.HttpServer | undefined;
    try {
      await using browser = await launchBrowser();
      const page = await browser.newPage();
      await openLive(page, ui.root);
      await kill(ui);
      await reconnecting(page);
      // A 200 to everything, /health too: only what /live answers tells it is no console.
      login = Deno.serve(
        { hostname, port: Number(port), onListen: () => {} },
        () => new Response("<p>Sign in</p>", { headers: { "content-type": "text/html" } }),
      );
      await saysAndAsksNoMore(
        page,
        "not live: answered with something other than the console's updates — reload to try again",
      );
    } finally {
      stop(ui.process);
      await ui.process.result;
      await login?.shutdown();
    }
  },
});

Deno.test({
  name:
    "ui: an open page whose stream goes silent without an end (a sleeping laptop, a NAT's timeout) says it reconnects, and is live again once bytes flow",
  ignore: !chromiumAvailable(),
  async fn() {
    await using target = await freshTarget();
    await using ui = await startUi(target.env);
    await using proxy = startProxy(Number(new URL(ui.root).port));
    await using browser = await launchBrowser();
    const page = await browser.newPage();
    await openLive(page, `http://127.0.0.1:${proxy.port}/`);
    proxy.pause();
    // Past the console's keepalives (every 15 s) and the page's patience with silence.
    await aMinuteLater(page);
    await until(page, `document.getElementById("stream").textContent === "reconnecting…"`);
    proxy.resume();
    await liveAgain(page);
    assert.ok(await stillTheSamePage(page), "the page was reloaded");
  },
});
