/**
 * Every `coord ui` page with real content, in headless Chromium at a laptop's and a phone's
 * width: nothing may scroll sideways at 390 px. With COORD_UI_SCREENSHOTS=DIR each page is
 * saved there as PNG (README's screenshots: COORD_UI_SCREENSHOTS=docs).
 *
 * @module
 */

import assert from "node:assert/strict";
import { type CoordProcess, spawnCoord } from "./support/cli.ts";
import {
  chromiumAvailable,
  coord,
  freshTarget,
  launchBrowser,
  liveText,
  openLive,
  startUi,
  stop,
} from "./ui_support.ts";

const SCREENS = [
  { name: "laptop", width: 1280, height: 860 },
  { name: "phone", width: 390, height: 844 },
] as const;
const PAGES = [
  { name: "overview", path: "" },
  { name: "queue", path: "queues/thumbnails" },
  { name: "job", path: "queues/thumbnails/jobs/3" },
  { name: "schedules", path: "schedules" },
  { name: "locks", path: "locks" },
  { name: "barriers", path: "barriers" },
] as const;
Deno.test({
  name: "ui screens: every page fits a 390 px phone without sideways scrolling",
  ignore: !chromiumAvailable(),
  async fn() {
    await using target = await freshTarget();
    const { env, dir } = target;
    await Deno.writeTextFile(
      `${dir}/handlers.ts`,
      "export function resize(args) { return { width: 64, file: args.file }; }\n",
    );
    for (const file of ["a.png", "b.png"]) {
      await coord([
        "queue",
        "put",
        "thumbnails",
        "--handler",
        "resize",
        "--args",
        JSON.stringify({ file }),
      ], env);
    }
    await coord([
      "queue",
      "put",
      "thumbnails",
      "--retries",
      "0",
      "--",
      "sh",
      "-c",
      "echo 'convert: no such file: c.png' >&2; exit 1",
    ], env);
    await coord([
      "queue",
      "work",
      "thumbnails",
      "--module",
      `${dir}/handlers.ts`,
      "--allow-commands",
      "--drain",
    ], env);
    await coord([
      "queue",
      "put",
      "thumbnails",
      "--handler",
      "resize",
      "--args",
      JSON.stringify({ file: "d.png" }),
    ], env);
    await coord([
      "queue",
      "put",
      "thumbnails",
      "--handler",
      "resize",
      "--delay",
      "3600",
      "--args",
      JSON.stringify({ file: "e.png" }),
    ], env);
    await coord(["queue", "put", "reports", "--handler", "daily"], env);
    await Deno.writeTextFile(
      `${dir}/tasks.cron`,
      "@every 1s  name=heartbeat  true\n0 3 * * *  name=nightly-backup  true\n",
    );
    const background: CoordProcess[] = [
      spawnCoord(["schedule", "run", `${dir}/tasks.cron`], { env }),
      spawnCoord(
        ["lock", "run", "deploy", "--label", "ci@runner-3 pid 812", "--", "sleep", "600"],
        {
          env,
        },
      ),
    ];
    try {
      await using ui = await startUi(env);
      await using browser = await launchBrowser();
      const page = await browser.newPage();
      await page.goto(`${ui.root}locks`);
      await liveText(page, "ci@runner-3");
      background.push(
        spawnCoord(["lock", "run", "deploy", "--label", "ana@laptop pid 4242", "--", "true"], {
          env,
        }),
        spawnCoord(["barrier", "deploy-gate", "3", "--timeout", "600", "--quiet"], { env }),
        spawnCoord(["barrier", "deploy-gate", "3", "--timeout", "600", "--quiet"], { env }),
      );
      await liveText(page, "ana@laptop");
      await page.goto(`${ui.root}barriers`);
      await liveText(page, "2/3 arrived");
      await page.goto(`${ui.root}schedules`);
      await liveText(page, "success");
      await liveText(page, "nightly-backup");
      await coord(["schedule", "pause", "nightly-backup"], env);
      await liveText(page, "paused");
      const saveTo = Deno.env.get("COORD_UI_SCREENSHOTS");
      for (const screen of SCREENS) {
        await page.setViewport({ width: screen.width, height: screen.height });
        for (const { name, path } of PAGES) {
          await openLive(page, `${ui.root}${path}`);
          const overflow = Number(
            await page.evaluate(
              "document.documentElement.scrollWidth - document.documentElement.clientWidth",
            ),
          );
          assert.ok(
            overflow <= 0,
            `/${path} scrolls sideways by ${overflow} px at ${screen.width}`,
          );
          if (saveTo) {
            await page.screenshot({
              path: `${saveTo}/ui-${name}-${screen.name}.png`,
              fullPage: screen.name === "phone",
            });
          }
        }
      }
    } finally {
      background.forEach(stop);
      await Promise.all(background.map((p) => p.result));
    }
  },
});
