/// <reference lib="dom" />
/**
 * `coord ui` in a real browser (headless Chromium) against the real CLI, on SQLite and Redis:
 * pages update without a reload as the CLI changes things, actions work from their buttons,
 * attacker-controlled text stays text, read-only refuses, and every page fits a 390 px phone.
 * With COORD_UI_SCREENSHOTS=DIR it saves each page there at laptop and phone widths.
 *
 * @module
 */

import assert from "node:assert/strict";
import type { Page } from "puppeteer-core";
import { spawnCoord } from "./support/cli.ts";
import { sharedRedisUrl } from "./support/shared_servers.ts";
import { chromiumAvailable, coord, freshTarget, launchBrowser, startUi } from "./ui_support.ts";

const redisUrl = await sharedRedisUrl("redis");
const hasChromium = chromiumAvailable();
/** A hang guard for waiting on the page; the events awaited come much sooner. */
const PAGE_WAIT_MS = 60_000;

/** Opens `url` and resolves once its event stream is connected. */
async function openLive(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.waitForFunction(
    () => document.getElementById("stream")?.textContent === "live",
    { timeout: PAGE_WAIT_MS },
  );
  await page.evaluate(() => Object.assign(globalThis, { notReloaded: true }));
}

/** Resolves once the live part of the page holds `text`. */
async function liveText(page: Page, text: string): Promise<void> {
  await page.waitForFunction(
    (t: string) => document.getElementById("live")!.textContent!.includes(t),
    { timeout: PAGE_WAIT_MS },
    text,
  );
}

/** SIGTERM, which coord passes to its command; nothing if it already ended. */
function stop(process: { kill(signal: Deno.Signal): void } | undefined): void {
  try {
    process?.kill("SIGTERM");
  } catch {
    // Already exited.
  }
}

async function stillTheSamePage(page: Page): Promise<boolean> {
  return await page.evaluate(() => "notReloaded" in globalThis);
}

for (const [backend, url] of [["sqlite", undefined], ["redis", redisUrl]] as const) {
  const ignore = !hasChromium || (backend === "redis" && url === undefined);

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
        await page.waitForFunction(
          () => document.querySelector(".holder")?.textContent === "first-holder",
          { timeout: PAGE_WAIT_MS },
        );
        second = holder("second-holder");
        await liveText(page, "second-holder");
        // SIGTERM: coord passes it to sleep and gives the lock to the next ticket.
        first.kill("SIGTERM");
        await page.waitForFunction(
          () => document.querySelector(".holder")?.textContent === "second-holder",
          { timeout: PAGE_WAIT_MS },
        );
        assert.ok(await stillTheSamePage(page), "the page was reloaded");
      } finally {
        for (const process of [first, second]) stop(process);
        await Promise.all([first.result, second?.result]);
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
      const shown = await page.$eval(".job-args", (pre) => pre.textContent);
      assert.ok(shown?.includes(args.note), `args shown as ${shown}`);
      assert.equal(await page.$("#live img"), null, "an <img> from the args became an element");
      await Promise.all([page.waitForNavigation(), page.click("form.action button")]);
      await liveText(page, "cancelled");
      assert.ok((await page.content()).includes("Cancelled q/j1."));
      assert.deepEqual(dialogs, ["Cancel q/j1?"], "only the confirmation was shown");
    },
  });
}

Deno.test({
  name: "ui browser: --read-only shows no button and its server refuses a POST with 403",
  ignore: !hasChromium,
  async fn() {
    await using target = await freshTarget();
    await coord(["queue", "put", "q", "--id", "j1", "--handler", "h"], target.env);
    await using ui = await startUi(target.env, ["--read-only"]);
    await using browser = await launchBrowser();
    const page = await browser.newPage();
    await openLive(page, `${ui.root}queues/q/jobs/j1`);
    assert.equal(await page.$("button[type=submit]:not(.lookup button)"), null);
    const status = await page.evaluate(async () => {
      const response = await fetch("queues/q/jobs/j1/cancel", { method: "POST" });
      return response.status;
    });
    assert.equal(status, 403);
  },
});
