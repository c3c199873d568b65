import assert from "node:assert/strict";
import { ScheduleMetrics } from "./metrics.ts";

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;

/**
 * Reads Prometheus' text exposition format strictly: `# HELP`/`# TYPE` once per family and
 * before its samples, families not interleaved, label values escaped only as `\\`, `\"` and
 * `\n` (what Prometheus' own parser accepts), numbers or ±Inf/NaN as values.
 */
function parseExposition(text: string): Sample[] {
  assert.ok(text.endsWith("\n"), "ends with a line feed");
  const samples: Sample[] = [];
  const typed = new Map<string, string>();
  const helped = new Set<string>();
  const closed = new Set<string>();
  let family = "";
  const familyOf = (name: string) => {
    for (const suffix of ["_bucket", "_sum", "_count"]) {
      const base = name.slice(0, -suffix.length);
      if (name.endsWith(suffix) && typed.get(base) === "histogram") return base;
    }
    return name;
  };
  const enter = (name: string) => {
    if (name === family) return;
    assert.ok(!closed.has(name), `family ${name} is not interleaved with another`);
    if (family) closed.add(family);
    family = name;
  };
  for (const line of text.slice(0, -1).split("\n")) {
    const meta = /^# (HELP|TYPE) (\S+) (.*)$/.exec(line);
    if (meta) {
      const [, kind, name, rest] = meta;
      assert.match(name, METRIC_NAME);
      enter(name);
      assert.ok(
        !samples.some((s) => familyOf(s.name) === name),
        `${kind} before ${name}'s samples`,
      );
      if (kind === "TYPE") {
        assert.ok(!typed.has(name), `one TYPE for ${name}`);
        assert.match(rest, /^(counter|gauge|histogram|summary|untyped)$/);
        typed.set(name, rest);
      } else {
        assert.ok(!helped.has(name), `one HELP for ${name}`);
        helped.add(name);
      }
      continue;
    }
    samples.push(parseSample(line));
    enter(familyOf(samples.at(-1)!.name));
  }
  return samples;
}

function parseSample(line: string): Sample {
  const head = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{)?/.exec(line);
  assert.ok(head, `a sample line: ${line}`);
  const name = head[1];
  const labels: Record<string, string> = {};
  let i = head[0].length;
  if (head[2]) {
    while (line[i] !== "}") {
      const labelName = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(i));
      assert.ok(labelName, `a label at ${i} in ${line}`);
      i += labelName[0].length;
      let value = "";
      for (; line[i] !== '"'; i++) {
        assert.ok(i < line.length, `a closed label value in ${line}`);
        if (line[i] !== "\\") {
          value += line[i];
          continue;
        }
        const escaped = line[++i];
        assert.ok(escaped in ESCAPES, `no escape \\${escaped} in Prometheus' format: ${line}`);
        value += ESCAPES[escaped];
      }
      labels[labelName[1]] = value;
      i++;
      if (line[i] === ",") i++;
    }
    i++;
  }
  const value = /^ (\S+)$/.exec(line.slice(i));
  assert.ok(value, `a value after the labels in ${line}`);
  assert.match(value[1], /^([-+]?(\d+(\.\d*)?|\.\d+)([eE][-+]?\d+)?|[-+]?Inf|NaN)$/);
  return { name, labels, value: Number(value[1].replace("Inf", "Infinity")) };
}

const ESCAPES: Record<string, string> = { "\\": "\\", '"': '"', n: "\n" };

function value(samples: Sample[], name: string, labels: Record<string, string>): number {
  const found = samples.filter((s) =>
    s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)
  );
  assert.equal(found.length, 1, `one ${name} ${JSON.stringify(labels)}`);
  return found[0].value;
}

function buckets(samples: Sample[], task: string): [string, number][] {
  return samples
    .filter((s) => s.name === "coord_schedule_lateness_seconds_bucket" && s.labels.task === task)
    .map((s) => [s.labels.le, s.value]);
}

Deno.test("ScheduleMetrics.text() is valid exposition before anything is counted", () => {
  const samples = parseExposition(new ScheduleMetrics().text());
  assert.deepEqual(samples, []);
});

Deno.test("ScheduleMetrics.text() is valid exposition with several tasks", () => {
  const metrics = new ScheduleMetrics();
  metrics.started("report", 12);
  metrics.started("sync", 3);
  metrics.failed("sync");
  metrics.lost("cleanup");
  const samples = parseExposition(metrics.text());
  assert.ok(samples.length > 0);
  for (const sample of samples) assert.ok(Number.isFinite(sample.value), sample.name);
});

Deno.test("ScheduleMetrics.text() counts runs, failures, lost leases and missed ticks", () => {
  const metrics = new ScheduleMetrics();
  metrics.started("report", 0);
  metrics.started("report", 0);
  metrics.failed("report");
  metrics.started("sync", 0);
  metrics.lost("sync");
  metrics.lost("sync");
  metrics.missed("sync", 5);
  const samples = parseExposition(metrics.text());
  const count = (name: string, task: string) => value(samples, name, { task });
  assert.equal(count("coord_schedule_runs_total", "report"), 2);
  assert.equal(count("coord_schedule_failures_total", "report"), 1);
  assert.equal(count("coord_schedule_lost_total", "report"), 0);
  assert.equal(count("coord_schedule_runs_total", "sync"), 1);
  assert.equal(count("coord_schedule_failures_total", "sync"), 0);
  assert.equal(count("coord_schedule_lost_total", "sync"), 2);
  assert.equal(count("coord_schedule_missed_total", "sync"), 5);
  assert.equal(count("coord_schedule_missed_total", "report"), 0);
});

Deno.test("ScheduleMetrics.text() gives cumulative lateness buckets ending with +Inf = _count", () => {
  const metrics = new ScheduleMetrics();
  for (const latenessMs of [0, 3, 15, 2_000, 60_000]) metrics.started("report", latenessMs);
  const samples = parseExposition(metrics.text());
  assert.deepEqual(buckets(samples, "report"), [
    ["0.001", 1],
    ["0.005", 2],
    ["0.01", 2],
    ["0.02", 3],
    ["0.05", 3],
    ["0.1", 3],
    ["0.5", 3],
    ["1", 3],
    ["5", 4],
    ["30", 4],
    ["+Inf", 5],
  ]);
  const count = value(samples, "coord_schedule_lateness_seconds_count", { task: "report" });
  assert.equal(count, 5);
  const sum = value(samples, "coord_schedule_lateness_seconds_sum", { task: "report" });
  assert.ok(Math.abs(sum - 62.018) < 1e-9, `sum ${sum}`);
});

Deno.test("ScheduleMetrics.text() gives buckets in rising order, never decreasing", () => {
  const metrics = new ScheduleMetrics();
  for (let ms = 0; ms < 40_000; ms += 997) metrics.started("sync", ms);
  const samples = parseExposition(metrics.text());
  const series = buckets(samples, "sync");
  const bounds = series.map(([le]) => Number(le.replace("+Inf", "Infinity")));
  assert.deepEqual(bounds, [...bounds].sort((a, b) => a - b));
  series.slice(1).forEach(([le, n], i) => assert.ok(n >= series[i][1], `le=${le}`));
  assert.deepEqual(series.at(-1), [
    "+Inf",
    value(samples, "coord_schedule_lateness_seconds_count", { task: "sync" }),
  ]);
});

Deno.test("ScheduleMetrics.text() counts a lateness on a bucket's bound in that bucket", () => {
  const metrics = new ScheduleMetrics();
  metrics.started("report", 5);
  const series = new Map(buckets(parseExposition(metrics.text()), "report"));
  assert.equal(series.get("0.001"), 0);
  assert.equal(series.get("0.005"), 1);
});

Deno.test("ScheduleMetrics.text() counts an early start as no lateness", () => {
  const metrics = new ScheduleMetrics();
  metrics.started("report", -250);
  const samples = parseExposition(metrics.text());
  assert.equal(new Map(buckets(samples, "report")).get("0.001"), 1);
  assert.equal(value(samples, "coord_schedule_lateness_seconds_sum", { task: "report" }), 0);
});

Deno.test("ScheduleMetrics.text() gives a task that never started an empty histogram", () => {
  const metrics = new ScheduleMetrics();
  metrics.failed("broken");
  const samples = parseExposition(metrics.text());
  assert.ok(buckets(samples, "broken").every(([, n]) => n === 0));
  assert.equal(value(samples, "coord_schedule_lateness_seconds_count", { task: "broken" }), 0);
});

Deno.test('ScheduleMetrics.text() escapes " and \\ in a task name', () => {
  const task = 'say "hi" \\ bye';
  const metrics = new ScheduleMetrics();
  metrics.started(task, 1);
  const text = metrics.text();
  assert.ok(text.includes('coord_schedule_runs_total{task="say \\"hi\\" \\\\ bye"} 1\n'), text);
  assert.equal(value(parseExposition(text), "coord_schedule_runs_total", { task }), 1);
});

Deno.test("ScheduleMetrics.text() escapes a line feed in a task name", () => {
  const task = "two\nlines";
  const metrics = new ScheduleMetrics();
  metrics.failed(task);
  const text = metrics.text();
  assert.ok(text.includes('coord_schedule_failures_total{task="two\\nlines"} 1\n'), text);
  assert.equal(value(parseExposition(text), "coord_schedule_failures_total", { task }), 1);
});

Deno.test({
  name: "ScheduleMetrics.text() writes a tab in a task name as it is",
  fn() {
    const metrics = new ScheduleMetrics();
    metrics.started("a\tb", 1);
    const samples = parseExposition(metrics.text());
    assert.equal(value(samples, "coord_schedule_runs_total", { task: "a\tb" }), 1);
  },
});
