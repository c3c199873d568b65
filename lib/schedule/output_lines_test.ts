import assert from "node:assert/strict";
import { MAX_LINE_LENGTH, OutputLines } from "./output_lines.ts";

function linesOf(chunks: string[], maxLength?: number): string[] {
  const lines: string[] = [];
  const out = new OutputLines((line) => lines.push(line), maxLength);
  for (const chunk of chunks) out.push(chunk);
  out.end();
  return lines;
}

Deno.test("OutputLines splits chunks into lines, wherever the chunks end", () => {
  assert.deepEqual(linesOf(["one\ntw", "o\n", "", "\nthree"]), ["one", "two", "", "three"]);
  assert.deepEqual(linesOf(["one\n"]), ["one"], "no empty line after the last newline");
  assert.deepEqual(linesOf([]), []);
});

Deno.test("OutputLines cuts a line past its bound, says so, and drops the rest to its newline", () => {
  assert.deepEqual(linesOf(["abcdef", "gh\nxy\n123456"], 4), [
    "abcd… (cut at 4 characters)",
    "xy",
    "1234… (cut at 4 characters)",
  ]);
  assert.deepEqual(linesOf(["abcd\n"], 4), ["abcd"], "a line just at the bound is whole");
  // Cut between its halves, the emoji would leave one that shows as U+FFFD.
  assert.deepEqual(linesOf(["abc🙂de"], 4), ["abc… (cut at 4 characters)"]);
});

Deno.test("OutputLines takes 40 MB without a newline in time linear in its size", () => {
  // Scanned again at every chunk, this took minutes (its square); a line's bound keeps it to one
  // pass, and the memory to one line.
  const lines: string[] = [];
  const out = new OutputLines((line) => lines.push(line));
  const chunk = "\0".repeat(65_536);
  for (let i = 0; i < 640; i++) out.push(chunk);
  out.push("\nend\n");
  out.end();
  assert.deepEqual(lines.map((l) => l.length), [
    MAX_LINE_LENGTH + " (cut at 65536 characters)".length + 1,
    3,
  ]);
});
