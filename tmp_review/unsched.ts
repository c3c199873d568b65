import { connect } from "../lib/backend/connect.ts";
import { Scheduler } from "../lib/schedule/scheduler.ts";
import { sleep } from "../lib/time.ts";
const backend = await connect({ url: "sqlite::memory:" });
const events: string[] = [];
const app = new Scheduler({ backend, instance: "A", onEvent: (e) => events.push(`${e.type} ${e.task}`) });
let aborted = "";
app.task({ name: "tpl", dynamic: true, lease: "900ms" }, async (ctx) => {
  try { await sleep(1500, ctx.signal); aborted = "finished"; } catch (e) { aborted = "aborted: " + (e as Error).message; }
});
const stop = new AbortController();
const force = new AbortController();
const running = app.run({ signal: stop.signal, force: force.signal });
await app.schedule("tpl", "x", { interval: "1s" });
// wait until it runs
while (!events.some((e) => e.startsWith("started"))) await sleep(20);
await app.unschedule("tpl", "x");
await sleep(2000);
console.log("handler:", aborted);
// now start another long run and force shutdown; cutShort should be 1
app.task; 
await app.schedule("tpl", "y", { interval: "1s" });
while (events.filter((e) => e.startsWith("started")).length < 2) await sleep(20);
stop.abort(); force.abort();
console.log(await running, events);
await backend.close();
