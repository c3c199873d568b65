import { ok } from "node:assert/strict";
import { now, sleep } from "./clock.ts";

Deno.test("now() in a process started later reads the clock this one reads", async () => {
  // This process ages first: a per-process clock (an origin fixed at start, then the monotonic
  // clock) drifts from a younger process's by the wall clock's rate error times the age gap.
  await sleep(1_500);
  const before = now();
  const clock = new URL("./clock.ts", import.meta.url).href;
  const { stdout, code } = await new Deno.Command(Deno.execPath(), {
    args: ["eval", `import { now } from "${clock}"; console.log(now());`],
    stderr: "inherit",
  }).output();
  const after = now();
  ok(code === 0);
  const read = Number(new TextDecoder().decode(stdout));
  ok(before <= read && read <= after, `${read} not within ${before}..${after}`);
});
