/**
 * `coord ui` through a Redis outage, in headless Chromium: the open page shows a banner while
 * the server is down and comes back by itself, with changes made after, without a restart of
 * the console or a reload of the page.
 *
 * @module
 */

import assert from "node:assert/strict";
import { redisServerAvailable, startStandalone } from "./support/redis_servers.ts";
// `until` of ./ui_support.ts waits on a browser page; this one on anything.
import { guarded, until as holds } from "./support/wait.ts";
import { oneLine } from "../lib/errors.ts";
import {
  aMinuteLater,
  chromiumAvailable,
  coord,
  freshTarget,
  launchBrowser,
  openLive,
  PAGE_WAIT_MS,
  startUi,
  startWaitingUi,
  stillTheSamePage,
  until,
} from "./ui_support.ts";

Deno.test({
  name: "ui: a Redis outage shows a banner on the open page, which recovers by itself",
  ignore: !redisServerAvailable() || !chromiumAvailable(),
  async fn() {
    const server = await startStandalone({ appendonly: true });
    try {
      await using target = await freshTarget(server.url);
      await coord(["queue", "put", "before", "--handler", "h"], target.env);
      await using ui = await startUi(target.env);
      await using browser = await launchBrowser();
      const page = await browser.newPage();
      await openLive(page, ui.root);
      Deno.kill(server.pid, "SIGKILL");
      await page.waitForSelector("#live .banner", { timeout: PAGE_WAIT_MS });
      assert.notEqual(
        await page.evaluate(`document.getElementById("stream").textContent`),
        "live",
        "the header says live under the unreachable banner",
      );
      assert.ok(
        await page.evaluate(`document.getElementById("live").textContent.includes("before")`),
        "the last state read stays under the banner",
      );
      await server.restart();
      await coord(["queue", "put", "after", "--handler", "h"], target.env);
      await until(
        page,
        `!document.querySelector("#live .banner") && document.getElementById("live").textContent.includes("after")`,
      );
      assert.ok(await stillTheSamePage(page), "the page was reloaded");
    } finally {
      await server.stop();
    }
  },
});

/** Fetches `url` until `done` holds of its answer, pausing between tries; a hang guard bounds it. */
async function fetchUntil(
  url: string,
  done: (status: number, text: string) => boolean,
): Promise<{ status: number; text: string }> {
  let answer = { status: 0, text: "" };
  try {
    await holds(async () => {
      const response = await fetch(url);
      answer = { status: response.status, text: await response.text() };
      return done(answer.status, answer.text);
    }, { what: `the expected answer of ${url}`, timeoutMs: PAGE_WAIT_MS });
  } catch (error) {
    throw new Error(`${oneLine(error)}; the last was ${answer.status} ${answer.text}`);
  }
  return answer;
}

Deno.test({
  name:
    "ui: a page asked for while Redis is down is a 503 with the banner and the script, the page once it is back; no stack on stderr",
  ignore: !redisServerAvailable(),
  async fn() {
    // The queue outlives the restart: a queue's page is 404 once it has no job.
    const server = await startStandalone({ appendonly: true });
    try {
      await using target = await freshTarget(server.url);
      await coord(["queue", "put", "pr", "--id", "before", "--handler", "h"], target.env);
      const ui = await startUi(target.env);
      let stopped = false;
      try {
        Deno.kill(server.pid, "SIGKILL");
        const down = await fetchUntil(`${ui.root}queues/pr`, (status) => status !== 200);
        assert.equal(down.status, 503, down.text);
        assert.match(down.text, /class="banner"[^>]*>Cannot read the backend/);
        assert.match(down.text, /<script src="[^"]*\/assets\/client\.js"><\/script>/);
        await server.restart();
        const back = await fetchUntil(`${ui.root}queues/pr`, (status) => status === 200);
        assert.ok(!back.text.includes('class="banner"'), "the banner stayed after the outage");
        ui.process.kill("SIGTERM");
        stopped = true;
        const { stderr } = await guarded(ui.process.result, "exit of coord ui");
        assert.doesNotMatch(stderr, /^\s+at /m, "a stack trace on stderr");
      } finally {
        if (!stopped) await ui[Symbol.asyncDispose]();
      }
    } finally {
      await server.stop();
    }
  },
});

Deno.test({
  name:
    "ui: a page opened during a Redis outage shows the banner, not live, and loads by itself once Redis is back",
  ignore: !redisServerAvailable() || !chromiumAvailable(),
  async fn() {
    // The queue outlives the restart: a queue's page is 404 once it has no job.
    const server = await startStandalone({ appendonly: true });
    try {
      await using target = await freshTarget(server.url);
      await coord(["queue", "put", "pr", "--id", "before", "--handler", "h"], target.env);
      await using ui = await startUi(target.env);
      Deno.kill(server.pid, "SIGKILL");
      await fetchUntil(`${ui.root}queues/pr`, (status) => status !== 200);
      await using browser = await launchBrowser();
      const page = await browser.newPage();
      const response = await page.goto(`${ui.root}queues/pr`);
      assert.equal(response?.status(), 503);
      await page.waitForSelector("#live .banner", { timeout: PAGE_WAIT_MS });
      await until(page, `document.getElementById("stream").textContent === "backend unreachable"`);
      await server.restart();
      await until(
        page,
        `document.querySelector("h1")?.textContent === "Queue pr" && !document.querySelector("#live .banner") && document.getElementById("stream").textContent === "live"`,
      );
      assert.ok(await page.$("form.lookup"), "the page's forms did not come with it");
    } finally {
      await server.stop();
    }
  },
});

/**
 * Opens `path` of a console waiting for its halted Redis at the start: a 503 whose page asks
 * /health; then starts Redis and waits for the page to show `loaded` (a page condition).
 */
async function openedWhileWaiting(path: string, loaded: string): Promise<void> {
  const server = await startStandalone();
  try {
    await server.halt();
    await using ui = await startWaitingUi({ COORD_URL: server.url });
    await using browser = await launchBrowser();
    const page = await browser.newPage();
    const response = await page.goto(`${ui.root}${path}`);
    assert.equal(response?.status(), 503);
    await page.waitForSelector("#live .banner", { timeout: PAGE_WAIT_MS });
    // It asks /health, a 503 until the console serves.
    await until(
      page,
      `document.getElementById("stream").textContent === "backend unavailable — retrying"`,
    );
    await server.start();
    await until(page, loaded);
  } finally {
    await server.stop();
  }
}

Deno.test({
  name:
    "ui: a page opened while the console waits for Redis at its start says so, and loads by itself once Redis answers",
  ignore: !redisServerAvailable() || !chromiumAvailable(),
  fn: () =>
    openedWhileWaiting(
      "",
      `document.querySelector("h1")?.textContent === "Overview" && !document.querySelector("#live .banner") && document.getElementById("stream").textContent === "live"`,
    ),
});

Deno.test({
  name:
    "ui: a page opened while the console waits, at a path it will answer 404, loads that 404 once the backend answers",
  ignore: !redisServerAvailable() || !chromiumAvailable(),
  // The serving console's answer, plain text: its /live would have been a 404 forever.
  fn: () => openedWhileWaiting("no/such/page", `document.body.innerText.trim() === "not found"`),
});

Deno.test({
  name: "ui: a page whose event stream is a 404 says why, and asks nothing more",
  ignore: !chromiumAvailable(),
  async fn() {
    await using target = await freshTarget();
    await using ui = await startUi(target.env);
    await using browser = await launchBrowser();
    const page = await browser.newPage();
    const asked: string[] = [];
    page.on("request", (request) => {
      const { pathname } = new URL(request.url());
      if (pathname === "/live" || pathname === "/health") asked.push(pathname);
    });
    // The page that says a job's id is missing is served whole; its stream is a 404.
    const response = await page.goto(`${ui.root}queues/q/job?id=`);
    assert.equal(response?.status(), 404);
    await until(
      page,
      `document.getElementById("stream").textContent === "not live: this page has no live view — reload to try again"`,
    );
    await aMinuteLater(page);
    assert.deepEqual(asked, ["/live"]);
  },
});
