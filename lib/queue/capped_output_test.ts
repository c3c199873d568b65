import assert from "node:assert/strict";
import { readCapped } from "./capped_output.ts";

const never = new AbortController().signal;

function streamOf(...parts: string[]): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  return ReadableStream.from(parts.map((part) => encoder.encode(part)));
}

Deno.test("readCapped() keeps the first bytes with head and says when it cut", async () => {
  assert.deepEqual(await readCapped(streamOf("abc", "def"), { maxBytes: 4, keep: "head" }, never), {
    text: "abcd",
    cut: true,
  });
  assert.deepEqual(await readCapped(streamOf("ab", "cd"), { maxBytes: 4, keep: "head" }, never), {
    text: "abcd",
    cut: false,
  });
});

Deno.test("readCapped() keeps the last bytes with tail, over many small writes", async () => {
  const parts = Array.from({ length: 100 }, (_, i) => `${i % 10}`);
  assert.deepEqual(await readCapped(streamOf(...parts), { maxBytes: 3, keep: "tail" }, never), {
    text: "789",
    cut: true,
  });
  assert.deepEqual(await readCapped(streamOf("a", "b"), { maxBytes: 3, keep: "tail" }, never), {
    text: "ab",
    cut: false,
  });
});
