/** How the console shows a job's progress: a bar for {done, of}, escaped JSON otherwise. */

import assert from "node:assert/strict";
import { MAX_PROGRESS_CHARS, progressView } from "../commands/ui/progress.ts";

const text = (value: unknown) => progressView(value).text.replace(/\s+/g, " ");

Deno.test("progressView() shows {done, of} as a bar and done/of", () => {
  const shown = text({ done: 40, of: 100 });
  assert.match(shown, /<progress value="40" max="100">40 %<\/progress> 40\/100/);
});

Deno.test("progressView() keeps the bar within 0..of when done runs past either end", () => {
  assert.match(text({ done: 120, of: 100 }), /value="100" max="100">100 %<\/progress> 120\/100/);
  assert.match(text({ done: -3, of: 10 }), /value="0" max="10">0 %<\/progress> -3\/10/);
});

/** The JSON a non-bar progress shows, its escaping undone. */
function jsonShown(value: unknown): string {
  const code = /<code class="progress-json">([^<]*)<\/code>/.exec(text(value));
  assert.ok(code, `no JSON shown for ${JSON.stringify(value)}: ${text(value)}`);
  return code[1].replace(/&(quot|lt|gt|#39|#96|amp);/g, (_, name) => UNESCAPED[name]);
}

const UNESCAPED: Record<string, string> = {
  quot: '"',
  lt: "<",
  gt: ">",
  "#39": "'",
  "#96": "`",
  amp: "&",
};

Deno.test("progressView() shows anything else as compact JSON", () => {
  for (
    const value of [{ done: 1, of: 0 }, { done: "1", of: 2 }, { step: "resize" }, 0.5, null, [1]]
  ) {
    assert.equal(jsonShown(value), JSON.stringify(value));
  }
});

Deno.test("progressView() escapes what a handler reported", () => {
  for (const value of ["<script>alert(1)</script>", { note: "<img src=x onerror=alert(1)>" }]) {
    assert.doesNotMatch(text(value), /<script|<img/);
    assert.equal(jsonShown(value), JSON.stringify(value));
  }
});

Deno.test("progressView() cuts long JSON short with an ellipsis", () => {
  const shown = jsonShown({ log: "x".repeat(500) });
  assert.equal(shown.length, MAX_PROGRESS_CHARS);
  assert.ok(shown.startsWith('{"log":"xxx'));
  assert.ok(shown.endsWith("…"));
});

Deno.test("progressView() shows a dash when the job reported no progress", () => {
  assert.equal(text(undefined).trim(), "–");
});
