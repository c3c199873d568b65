/** `/health` follows the backend: 503 while Redis does not answer, 200 again once it does. */

import assert from "node:assert/strict";
import { partitionTest } from "./support/proxy.ts";
import { spawnCoord } from "./support/cli.ts";
import { freePort } from "./support/host.ts";

async function status(url: string): Promise<number | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(3_000) });
    await response.body?.cancel();
    return response.status;
  } catch {
    return undefined;
  }
}

async function eventually(url: string, wanted: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    if (await status(url) === wanted) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} never answered ${wanted}`);
}

partitionTest(
  "coord schedule's /health answers 503 while the backend is cut off, then 200 again",
  async ({ proxy, dir }) => {
    await Deno.writeTextFile(`${dir}/jobs.cron`, "@every 200ms name=beat true\n");
    const port = freePort();
    const p = spawnCoord(
      ["schedule", "run", `${dir}/jobs.cron`, "--health-port", String(port)],
      { env: { COORD_URL: `redis://127.0.0.1:${proxy.port}` } },
    );
    const health = `http://127.0.0.1:${port}/health`;
    await eventually(health, 200);
    proxy.pause();
    await eventually(health, 503);
    proxy.resume();
    await eventually(health, 200);
    p.kill("SIGTERM");
    assert.equal((await p.result).code, 0);
  },
);
