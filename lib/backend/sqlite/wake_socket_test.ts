import assert from "node:assert/strict";
import { openSqlite } from "./backend.ts";
import { withSqliteFile } from "../../../tests/support/temp.ts";
import { WakeSockets } from "./wake_socket.ts";

/** The sockets idle waiters of the file at `path` listen on. */
function sockets(path: string): string[] {
  try {
    return [...Deno.readDirSync(`${path}-wake`)].map((entry) => entry.name);
  } catch {
    return [];
  }
}

/** Waits until `check` holds, re-checking every few ms (a state, not a deadline). */
async function until(check: () => boolean): Promise<void> {
  while (!check()) await new Promise((resolve) => setTimeout(resolve, 5));
}

Deno.test("WakeSockets calls a listener when another instance on the file pokes", async () => {
  await withSqliteFile(async (path) => {
    await using _db = await openSqlite({ path, namespace: "t", displayUrl: `sqlite:${path}` });
    const { promise: woken, resolve } = Promise.withResolvers<void>();
    const idle = new WakeSockets(path).listen(resolve);
    try {
      assert.equal(idle.listening, true);
      new WakeSockets(path).poke();
      await woken; // a lost poke hangs here until the test runner's guard
    } finally {
      idle.stop(); // the sanitizer fails the test if the socket outlives its listeners
    }
    assert.deepEqual(sockets(path), []);
  });
});

Deno.test("a poke does not wake the poking instance's own listeners", async () => {
  await withSqliteFile(async (path) => {
    await using _db = await openSqlite({ path, namespace: "t", displayUrl: `sqlite:${path}` });
    const wake = new WakeSockets(path);
    let woken = 0;
    const own = wake.listen(() => woken++);
    const { promise: other, resolve } = Promise.withResolvers<void>();
    const another = new WakeSockets(path).listen(resolve);
    try {
      wake.poke();
      await other;
      assert.equal(woken, 0);
    } finally {
      own.stop();
      another.stop();
    }
  });
});

Deno.test("a socket left by a process that died is removed by the next poke", async () => {
  await withSqliteFile(async (path) => {
    await using _db = await openSqlite({ path, namespace: "t", displayUrl: `sqlite:${path}` });
    await Deno.mkdir(`${path}-wake`);
    // Closed without removing its file, as a SIGKILL leaves it: connecting is refused.
    Deno.listen({ transport: "unix", path: `${path}-wake/1-dead.sock` }).close();
    new WakeSockets(path).poke();
    await until(() => sockets(path).length === 0);
  });
});

Deno.test("a poke passes over a socket another process is still opening", async () => {
  await withSqliteFile(async (path) => {
    await using _db = await openSqlite({ path, namespace: "t", displayUrl: `sqlite:${path}` });
    await Deno.mkdir(`${path}-wake`);
    // Bound but not yet listening refuses a connection, as a dead socket does; a file does too.
    Deno.writeTextFileSync(`${path}-wake/2-new.opening`, "");
    Deno.listen({ transport: "unix", path: `${path}-wake/1-dead.sock` }).close();
    const { promise: woken, resolve } = Promise.withResolvers<void>();
    const idle = new WakeSockets(path).listen(resolve);
    try {
      new WakeSockets(path).poke();
      await until(() => !sockets(path).includes("1-dead.sock"));
      await woken; // every connection of the poke has been answered by now
      assert.ok(sockets(path).includes("2-new.opening"), "the opening socket was removed");
    } finally {
      idle.stop();
    }
  });
});

Deno.test("an idle SQLite waiter listens for wake-ups, and another connection's commit wakes it", async () => {
  await withSqliteFile(async (path) => {
    const options = { path, namespace: "t", displayUrl: `sqlite:${path}` };
    await using reader = await openSqlite(options);
    await using writer = await openSqlite(options);
    await using watcher = await reader.watch();
    const woken = watcher.next(60_000);
    // A wait without expectations listens from its start: the state this test waits for.
    await until(() => sockets(path).length === 1);
    writer.write((db) => db.exec("INSERT INTO coord_meta VALUES ('wake', 'x')"));
    await woken;
    await watcher[Symbol.asyncDispose]();
    assert.deepEqual(sockets(path), [], "a watcher that ended leaves no socket");
  });
});

Deno.test("a SQLite watcher keeps its socket between its waits: waiting again opens none anew", async () => {
  await withSqliteFile(async (path) => {
    const options = { path, namespace: "t", displayUrl: `sqlite:${path}` };
    await using reader = await openSqlite(options);
    await using writer = await openSqlite(options);
    await using watcher = await reader.watch();
    const first = watcher.next(60_000);
    await until(() => sockets(path).length === 1);
    const socket = sockets(path);
    writer.write((db) => db.exec("INSERT INTO coord_meta VALUES ('wake-1', 'x')"));
    await first;
    // A worker waits again as soon as it is woken: closing the socket and making another one
    // cost each change eight file calls, and every poker a read of the folder.
    const second = watcher.next(60_000);
    writer.write((db) => db.exec("INSERT INTO coord_meta VALUES ('wake-2', 'x')"));
    await second;
    assert.deepEqual(sockets(path), socket);
  });
});

Deno.test("the wake folder and socket let in whoever may write the file, whatever the umask", async () => {
  await withSqliteFile(async (path) => {
    await using _db = await openSqlite({ path, namespace: "t", displayUrl: `sqlite:${path}` });
    // A file shared by two users; the test runs under umask 022, which would take their write.
    Deno.chmodSync(path, 0o666);
    const idle = new WakeSockets(path).listen(() => {});
    try {
      assert.equal(idle.listening, true);
      assert.equal(Deno.statSync(`${path}-wake`).mode! & 0o777, 0o777);
      const [socket] = sockets(path);
      assert.equal(Deno.statSync(`${path}-wake/${socket}`).mode! & 0o777, 0o666);
    } finally {
      idle.stop();
    }
  });
});

Deno.test("a -wake that is a link to another folder is left alone: no mode changed, no file removed", async () => {
  await withSqliteFile(async (path) => {
    await using _db = await openSqlite({ path, namespace: "t", displayUrl: `sqlite:${path}` });
    Deno.chmodSync(path, 0o666);
    // Another user of a shared folder could link the file's -wake to a folder of yours.
    const target = await Deno.makeTempDir({ prefix: "coord-wake-target-" });
    try {
      Deno.chmodSync(target, 0o755);
      await Deno.writeTextFile(`${target}/keep.sock`, "not a socket");
      Deno.symlinkSync(target, `${path}-wake`);
      const idle = new WakeSockets(path).listen(() => {});
      try {
        // The poll alone: before, its mode became the file's (777) and a socket went in.
        assert.equal(idle.listening, false);
        // Pokes pass over the link: nothing in the folder is read, so nothing is removed.
        new WakeSockets(path).poke();
      } finally {
        idle.stop();
      }
      assert.equal(Deno.statSync(target).mode! & 0o777, 0o755);
      assert.deepEqual([...Deno.readDirSync(target)].map((e) => e.name), ["keep.sock"]);
    } finally {
      await Deno.remove(`${path}-wake`).catch(() => {});
      await Deno.remove(target, { recursive: true });
    }
  });
});

Deno.test("a poke removes a refusing socket, never a file that only has a socket's name", async () => {
  await withSqliteFile(async (path) => {
    await using _db = await openSqlite({ path, namespace: "t", displayUrl: `sqlite:${path}` });
    await Deno.mkdir(`${path}-wake`);
    await Deno.writeTextFile(`${path}-wake/0-plain.sock`, "not a socket");
    Deno.listen({ transport: "unix", path: `${path}-wake/1-dead.sock` }).close();
    const wake = new WakeSockets(path);
    wake.poke();
    await until(() => !sockets(path).includes("1-dead.sock"));
    // Refused as the dead socket was: a second poke gives its removal, were it made, time.
    wake.poke();
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.deepEqual(sockets(path), ["0-plain.sock"]);
  });
});

/** Whether this test run can start a process as another user (root, with runuser). */
function canRunAsNobody(): boolean {
  if (Deno.uid() !== 0) return false;
  try {
    Deno.statSync("/usr/sbin/runuser");
    return true;
  } catch {
    return false;
  }
}

Deno.test({
  name: "another user who may write the file wakes its waiters",
  ignore: !canRunAsNobody(),
  async fn() {
    await withSqliteFile(async (path) => {
      await using _db = await openSqlite({ path, namespace: "t", displayUrl: `sqlite:${path}` });
      const dir = path.slice(0, path.lastIndexOf("/"));
      Deno.chmodSync(dir, 0o777); // the test's own temp directory, removed with it
      Deno.chmodSync(path, 0o666); // a file two users share
      const { promise: woken, resolve } = Promise.withResolvers<void>();
      const idle = new WakeSockets(path).listen(resolve);
      try {
        assert.equal(idle.listening, true);
        const module = new URL("./wake_socket.ts", import.meta.url).href;
        const poker = await new Deno.Command("/usr/sbin/runuser", {
          args: [
            ...["-u", "nobody", "--", "env", `DENO_DIR=${dir}/deno`, Deno.execPath()],
            "eval",
            `import { WakeSockets } from ${JSON.stringify(module)};
             new WakeSockets(${JSON.stringify(path)}).poke();`,
          ],
          stderr: "inherit",
        }).output();
        assert.equal(poker.code, 0);
        // The poker ended only after its connection settled, so the wake is on its way or lost:
        // a hang guard, not a latency bound.
        let guard: ReturnType<typeof setTimeout> | undefined;
        const lost = new Promise<"lost">((r) => guard = setTimeout(() => r("lost"), 30_000));
        const outcome = await Promise.race([woken, lost]);
        clearTimeout(guard);
        assert.notEqual(outcome, "lost", "nobody's poke did not reach the waiter");
      } finally {
        idle.stop();
      }
    });
  },
});
