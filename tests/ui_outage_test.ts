/**
 * `coord ui` through a Redis outage, in headless Chromium: the open page shows a banner while
 * the server is down and comes back by itself, with changes made after, without a restart of
 * the console or a reload of the page.
 *
 * @module
 */

import assert from "node:assert/strict";
import { redisServerAvailable, startStandalone } from "./support/redis_servers.ts";
import {
  chromiumAvailable,
  coord,
  freshTarget,
  launchBrowser,
  openLive,
  PAGE_WAIT_MS,
  startUi,
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
