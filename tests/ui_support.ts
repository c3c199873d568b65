/**
 * Helpers of the `coord ui` tests: the real console as a process on a free port, a fresh
 * SQLite file, and headless Chromium driven through puppeteer-core (Debian's `chromium`,
 * never a downloaded browser).
 *
 * @module
 */

import type { Browser, Page } from "puppeteer-core";
import { type CoordProcess, spawnCoord } from "./support/cli.ts";

/** Where Debian installs Chromium. */
export const CHROMIUM = "/usr/bin/chromium";

/** A running `coord ui`. */
export interface RunningUi extends AsyncDisposable {
  /** The console's root, e.g. `http://127.0.0.1:41234/`. */
  root: string;
  process: CoordProcess;
}

/**
 * Starts `coord ui ARGS…` with `env` (COORD_URL, COORD_NAMESPACE…), on `--listen 127.0.0.1:0`
 * unless ARGS give another; resolves once it serves. Disposing it stops it with SIGTERM and
 * waits for it to exit.
 */
export function startUi(env: Record<string, string>, args: string[] = []): Promise<RunningUi> {
  return startedUi(env, args, /serving (http\S+)/);
}

/**
 * Starts `coord ui ARGS…` as {@link startUi} does, on a backend it cannot reach, and resolves
 * once it says it waits for it (every second, for up to a minute): it listens by then, and said
 * where before.
 */
export function startWaitingUi(
  env: Record<string, string>,
  args: string[] = [],
): Promise<RunningUi> {
  return startedUi(env, args, BACKEND_AWAY, /listening on (http\S+)/);
}

/** The line coord says when it finds its server away at its start. */
export const BACKEND_AWAY = /^coord: backend unavailable \(cannot reach .*\) — retrying/;

/**
 * `coord ui ARGS…` once it said a line like `ready`, its root from the line like `where` (the
 * ready line when not given), said by then.
 */
async function startedUi(
  env: Record<string, string>,
  args: string[],
  ready: RegExp,
  where = ready,
): Promise<RunningUi> {
  const listen = args.includes("--listen") ? [] : ["--listen", "127.0.0.1:0"];
  const process = spawnCoord(["ui", ...listen, ...args], { env });
  let root: string;
  try {
    await process.stderrLine(ready, 60_000);
    root = where.exec(await process.stderrLine(where, 0))![1];
  } catch (error) {
    try {
      process.kill("SIGKILL");
    } catch {
      // It exited already (refused to start): its stderr says why.
    }
    const { stderr } = await process.result;
    throw new Error(`coord ui did not start: ${stderr}`, { cause: error });
  }
  return {
    root,
    process,
    [Symbol.asyncDispose]: async () => {
      process.kill("SIGTERM");
      await process.result;
    },
  };
}

/** Where a test's coord processes keep state: the environment naming it, and a scratch dir. */
export interface Target extends AsyncDisposable {
  env: Record<string, string>;
  /** A scratch directory, removed when disposed. */
  dir: string;
}

/**
 * A fresh SQLite file, or (with a Redis URL) a fresh namespace on that server; the scratch
 * directory (and the file) go when disposed.
 */
export async function freshTarget(redisUrl?: string): Promise<Target> {
  const dir = await Deno.makeTempDir({ prefix: "coord-ui-test-" });
  const env: Record<string, string> = redisUrl
    ? { COORD_URL: redisUrl, COORD_NAMESPACE: `ui-${crypto.randomUUID().slice(0, 8)}` }
    : { COORD_URL: `sqlite:${dir}/coord.db` };
  return { env, dir, [Symbol.asyncDispose]: () => Deno.remove(dir, { recursive: true }) };
}

/** The line printed when the browser tests are skipped. */
export const BROWSER_SKIP_NOTICE =
  `SKIPPING coord ui browser tests: ${CHROMIUM} not found — apt-get install -y chromium`;

/**
 * Whether Chromium is installed; prints {@link BROWSER_SKIP_NOTICE} once when not, and throws
 * instead under `CI=true`, where the tests must not be skipped.
 */
export function chromiumAvailable(): boolean {
  try {
    Deno.statSync(CHROMIUM);
    return true;
  } catch {
    if (Deno.env.get("CI") === "true") {
      throw new Error(`${CHROMIUM} not found and CI=true: apt-get install -y chromium`);
    }
    console.error(BROWSER_SKIP_NOTICE);
    return false;
  }
}

/** Headless Chromium with a fresh profile; flags that keep it off the network it cannot use. */
export async function launchBrowser(): Promise<Browser & AsyncDisposable> {
  const { default: puppeteer } = await import("puppeteer-core");
  const profile = await Deno.makeTempDir({ prefix: "coord-ui-chromium-" });
  const browser = await puppeteer.launch({
    executablePath: CHROMIUM,
    headless: true,
    userDataDir: profile,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return Object.assign(browser, {
    [Symbol.asyncDispose]: async () => {
      await browser.close();
      await Deno.remove(profile, { recursive: true }).catch(() => {});
    },
  });
}

/** Runs `coord ARGS…` to its end; throws with its stderr unless it exits 0. */
export async function coord(args: string[], env: Record<string, string> = {}): Promise<string> {
  const { code, stdout, stderr } = await spawnCoord(args, { env }).result;
  if (code !== 0) throw new Error(`coord ${args.join(" ")} exited ${code}: ${stderr}`);
  return stdout;
}

/** The CSRF token an action form on the page at `url` carries. */
export async function csrfTokenOf(url: string, init?: RequestInit): Promise<string> {
  const page = await (await fetch(url, init)).text();
  const token = /name="csrf" value="([0-9a-f]+)"/.exec(page)?.[1];
  if (!token) throw new Error(`no action form on ${url}`);
  return token;
}

/** A hang guard for waiting on a page; the events awaited come much sooner. */
export const PAGE_WAIT_MS = 60_000;

// Page-side code is given as JavaScript text: it runs in the browser, and typing it with the
// DOM's declarations would clash with Deno's in a program-wide type check.

/** Resolves once `expression` (JavaScript, run in the page) is true. */
export async function until(page: Page, expression: string): Promise<void> {
  await page.waitForFunction(expression, { timeout: PAGE_WAIT_MS });
}

/** Opens `url`, resolves once its event stream is connected, and marks the page. */
export async function openLive(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await until(page, `document.getElementById("stream")?.textContent === "live"`);
  await page.evaluate("globalThis.notReloaded = true");
}

/**
 * Runs the page's clock on a minute at once (Chromium's virtual time), past every pause the
 * script makes before asking the console again, and resolves once it has: so a test sees that
 * a page asks nothing more without waiting that minute.
 */
export async function aMinuteLater(page: Page): Promise<void> {
  const devtools = await page.createCDPSession();
  const passed = new Promise((resolve) =>
    devtools.once("Emulation.virtualTimeBudgetExpired", resolve)
  );
  await devtools.send("Emulation.setVirtualTimePolicy", { policy: "advance", budget: 60_000 });
  await passed;
  await devtools.detach();
}

/** Resolves once the live part of the page holds `text`. */
export function liveText(page: Page, text: string): Promise<void> {
  return until(
    page,
    `document.getElementById("live").textContent.includes(${JSON.stringify(text)})`,
  );
}

/** Whether the page marked by {@link openLive} is still the same (not reloaded). */
export async function stillTheSamePage(page: Page): Promise<boolean> {
  return await page.evaluate(`"notReloaded" in globalThis`) === true;
}

/** SIGTERM, which coord passes to its command; nothing if it already ended. */
export function stop(process: CoordProcess | undefined): void {
  try {
    process?.kill("SIGTERM");
  } catch {
    // Already exited.
  }
}
