import assert from "node:assert/strict";
import { readUtf8File } from "./utf8_file.ts";

/** The 256 MiB README says coord reads of a file at most. */
const MAX_TEXT_BYTES = 256 * 1_048_576;

Deno.test("readUtf8File() refuses a file over 256 MiB, rather than failing it as not UTF-8", async () => {
  // Before: read whole; near 512 MiB its decoding failed as "it is not UTF-8 text".
  const dir = await Deno.makeTempDir({ prefix: "coord-test-" });
  try {
    const path = `${dir}/big.jsonl`;
    // Sparse: no disk taken, and NUL bytes are UTF-8.
    await Deno.writeTextFile(path, "");
    await Deno.truncate(path, MAX_TEXT_BYTES + 1);
    await assert.rejects(readUtf8File(path), /^Error: it is over 256 MiB, the most coord reads/);
    await Deno.truncate(path, 3);
    assert.equal(await readUtf8File(path), "\0\0\0");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("readUtf8File() stops reading a device without end at 256 MiB", async () => {
  // Before: /dev/zero filled the memory (3.5 GB in 7 s).
  await assert.rejects(readUtf8File("/dev/zero"), /it is over 256 MiB/);
});

Deno.test("readUtf8File() stops at 256 MiB a regular file whose size says less", async () => {
  // Its size says 0, its text is 256 GiB. Before: read as its size said, to the end.
  await assert.rejects(readUtf8File("/proc/self/pagemap"), /it is over 256 MiB/);
});
