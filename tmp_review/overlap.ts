import { connect } from "../lib/backend/connect.ts";
import { Scheduler } from "../lib/schedule/scheduler.ts";
import { sleep } from "../lib/time.ts";
const backend = await connect({ url: "sqlite::memory:" });
let active = 0, maxActive = 0;
const mk = (id: string) => new Scheduler({ backend, instance: id }).task({ name: "t", interval: "500ms", executionMode: "best-effort" }, async () => {
  active++; maxActive = Math.max(maxActive, active); await sleep(1200); active--;
});
const signal = AbortSignal.timeout(3000);
await Promise.all([mk("a").run({ signal }), mk("b").run({ signal }), mk("c").run({ signal })]);
console.log({ maxActive });
await backend.close();
