import assert from "node:assert/strict";
import { BackendDamagedError, BackendUnavailableError, ForeignDataError } from "./errors.ts";
import { type OutageEvent, OutageReport } from "./outage_report.ts";

const lost = () => new BackendUnavailableError("lost redis://h:6379: connection refused");

function recorded(): { report: OutageReport; events: OutageEvent[] } {
  const events: OutageEvent[] = [];
  return { report: new OutageReport((event) => events.push(event)), events };
}

Deno.test("OutageReport says an outage once however many tasks meet it, how often", () => {
  const { report, events } = recorded();
  for (let retry = 0; retry < 3; retry++) {
    report.failed("five", lost());
    report.failed("six", lost());
  }
  assert.deepEqual(events.map((e) => e.type), ["unavailable"]);
  assert.deepEqual(events[0], { type: "unavailable", source: "five", error: lost().message });
});

Deno.test("OutageReport says the backend is back once every source that met it has an answer", () => {
  const { report, events } = recorded();
  report.failed("five", lost());
  report.failed("six", lost());
  report.answered("five");
  // (On a Redis Cluster one master may be down while the other tasks' masters answer.)
  assert.deepEqual(events.map((e) => e.type), ["unavailable"]);
  report.answered("six");
  report.answered("six");
  assert.deepEqual(events.map((e) => e.type), ["unavailable", "available"]);
  report.failed("six", lost());
  assert.deepEqual(events.map((e) => e.type), ["unavailable", "available", "unavailable"]);
});

Deno.test("OutageReport times an outage from when the step that met it was sent", () => {
  const { report, events } = recorded();
  // A step that failed only after waiting 5 s (a connect timeout) met an outage 5 s old.
  report.failed("five", lost(), performance.now() - 5_000);
  report.answered("five");
  const back = events.find((e) => e.type === "available");
  assert.ok(back?.type === "available" && back.outageMs >= 5_000, JSON.stringify(events));
});

Deno.test("OutageReport passes other errors on per source, at most once a minute, and says nothing of a source gone", () => {
  const { report, events } = recorded();
  report.failed("five", new Error("a bug"));
  report.failed("four", new Error("a bug"));
  // The same error again, retried every second: said once while it lasts…
  report.failed("five", new Error("a bug"));
  report.failed("five", new ForeignDataError("junk"));
  // (The process ends with this one: its loop rethrows it, and the caller says it once.)
  report.failed("five", new BackendDamagedError("sqlite:q.db is damaged"));
  assert.deepEqual(events.map((e) => e.type), ["error", "error", "error"]);
  // …though the backend answered between (a foreign record is read, then refused).
  report.answered("five");
  report.failed("five", new ForeignDataError("junk"));
  assert.equal(events.length, 3);
  report.failed("six", lost());
  report.forget("six");
  report.answered("six");
  assert.deepEqual(events.map((e) => e.type), ["error", "error", "error", "unavailable"]);
});

Deno.test("OutageReport names an error's source, once: foreign data names where it was found", () => {
  const events: OutageEvent[] = [];
  const report = new OutageReport((event) => events.push(event), (queue) => `queue ${queue}`);
  report.failed("q", new Error("a bug"));
  report.failed("r", new ForeignDataError('queue "r": job "7" holds "x"'));
  assert.deepEqual(events.map((e) => e.type === "error" && e.error), [
    "queue q: a bug",
    'queue "r": job "7" holds "x"',
  ]);
});
