import assert from "node:assert/strict";
import { openSqlite } from "./backend.ts";
import { withSqliteFile } from "../../../tests/support/temp.ts";
import { WalHint } from "./wal_hint.ts";

Deno.test("WalHint calls its listener when another connection commits", async () => {
  await withSqliteFile(async (path) => {
    const options = { path, namespace: "t", displayUrl: `sqlite:${path}` };
    await using _reader = await openSqlite(options);
    await using writer = await openSqlite(options);
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
  await withSqliteFile((path) => {
    const hint = new WalHint(path).listen(() => {});
    assert.equal(hint.watching, false);
    hint.stop();
  });
});

Deno.test("a process whose watcher was left undisposed exits once the database is closed", async () => {
  await withSqliteFile(async (path) => {
    const script = `${path}.ts`;
    await Deno.writeTextFile(
      script,
      `import { openSqlite } from ${JSON.stringify(new URL("./backend.ts", import.meta.url).href)};
       const backend = await openSqlite({ path: ${
        JSON.stringify(path)
      }, namespace: "t", displayUrl: "x" });
       await backend.watch(); // never disposed
       await backend.close();`,
    );
    const child = new Deno.Command(Deno.execPath(), {
      args: ["run", "-A", "--quiet", script],
      stdout: "null",
    }).spawn();
    // A file watch left open keeps the process alive: a hang guard, not a timing bound.
    const guard = setTimeout(() => child.kill("SIGKILL"), 15_000);
    const status = await child.status;
    clearTimeout(guard);
    assert.equal(status.signal, null, "it had to be killed");
    assert.equal(status.code, 0);
  });
});
