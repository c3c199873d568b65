import assert from "node:assert/strict";
import { openSqlite } from "./backend.ts";
import { WalHint } from "./wal_hint.ts";

async function withFile(fn: (path: string) => Promise<void> | void): Promise<void> {
  const dir = await Deno.makeTempDir();
  try {
    await fn(`${dir}/coord.db`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("WalHint calls its listener when another connection commits", async () => {
  await withFile(async (path) => {
    const options = { path, namespace: "t", displayUrl: `sqlite:${path}` };
    await using _reader = openSqlite(options);
    await using writer = openSqlite(options);
    const { promise: hinted, resolve } = Promise.withResolvers<void>();
    const hint = new WalHint(path).listen(resolve);
    try {
      assert.equal(hint.watching, true);
      writer.write((db) => db.exec("INSERT INTO coord_meta VALUES ('hint', 'x')"));
      await hinted; // a lost notification hangs here until the test runner's guard
    } finally {
      hint.stop(); // the sanitizer fails the test if the file watch outlives its listeners
    }
  });
});

Deno.test("WalHint says so when the file cannot be watched", async () => {
  await withFile((path) => {
    const hint = new WalHint(path).listen(() => {});
    assert.equal(hint.watching, false);
    hint.stop();
  });
});
