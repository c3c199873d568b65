/**
 * The SQLite file holds jobs' arguments and results: what coord creates, only its owner reads. A
 * file holding another program's data is refused and left as it is.
 */

import assert from "node:assert/strict";
import { DatabaseSync } from "node:sqlite";
import { runCoord, spawnCoord } from "./support/cli.ts";
import { guarded, lineIn, until } from "./support/wait.ts";

const mode = async (path: string) => ((await Deno.stat(path)).mode! & 0o777).toString(8);

/**
 * Runs `coord lock run` with a command that stats the file and its -wal and -shm while coord
 * has them open (they may be gone once the last connection closes).
 */
async function modesWhileOpen(db: string, env: Record<string, string>): Promise<string[]> {
  const r = await runCoord(
    ["lock", "run", "files", "--", "stat", "-c", "%a %n", db, `${db}-wal`, `${db}-shm`],
    { env },
  );
  assert.equal(r.code, 0, r.stderr);
  return r.stdout.trim().split("\n");
}

Deno.test("the default SQLite file is created 0600 in a directory created 0700", async () => {
  const home = await Deno.makeTempDir();
  try {
    const state = `${home}/state`;
    const first = await runCoord(["barrier", "b", "1"], { env: { XDG_STATE_HOME: state } });
    assert.equal(first.code, 0, first.stderr);
    assert.equal(await mode(`${state}/coord`), "700");
    assert.equal(await mode(`${state}/coord/coord.db`), "600");
    const db = `${state}/coord/coord.db`;
    assert.deepEqual(await modesWhileOpen(db, { XDG_STATE_HOME: state }), [
      `600 ${db}`,
      `600 ${db}-wal`,
      `600 ${db}-shm`,
    ]);
  } finally {
    await Deno.remove(home, { recursive: true });
  }
});

Deno.test("a SQLite file coord creates at sqlite:PATH is 0600, with its -wal and -shm", async () => {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.chmod(dir, 0o755); // a directory others may list, as most are
    const db = `${dir}/new.db`;
    assert.deepEqual(await modesWhileOpen(db, { COORD_URL: `sqlite:${db}` }), [
      `600 ${db}`,
      `600 ${db}-wal`,
      `600 ${db}-shm`,
    ]);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an existing SQLite file keeps the mode its owner gave it", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const db = `${dir}/shared.db`;
    await Deno.writeFile(db, new Uint8Array(), { mode: 0o640 });
    await Deno.chmod(db, 0o640);
    const first = await runCoord(["barrier", "b", "1", "--url", `sqlite:${db}`]);
    assert.equal(first.code, 0, first.stderr);
    assert.equal(await mode(db), "640");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/** The names in `dir` and each file's bytes, to see that coord wrote nothing there. */
async function contents(dir: string): Promise<Record<string, string>> {
  const found: Record<string, string> = {};
  for await (const entry of Deno.readDir(dir)) {
    const bytes = await Deno.readFile(`${dir}/${entry.name}`);
    found[entry.name] = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }
  return found;
}

Deno.test("a file that is not a SQLite database exits 65 in one line and is left untouched", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const db = `${dir}/data.db`;
    await Deno.writeFile(db, crypto.getRandomValues(new Uint8Array(8192)));
    const before = await contents(dir);
    const url = `sqlite:${db}`;
    for (
      const args of [["lock", "run", "r", "--url", url, "--", "true"], ["doctor", "--url", url]]
    ) {
      const r = await runCoord(args);
      assert.equal(r.code, 65, r.stderr);
      assert.equal(
        r.stderr,
        `coord: sqlite:${db} is not a SQLite database — coord leaves the file as it is; choose ` +
          `another file with --url sqlite:PATH\n`,
      );
      assert.deepEqual(await contents(dir), before, "no byte written, no file beside it");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a damaged coord SQLite file exits 65 in one line and is left untouched", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const db = `${dir}/data.db`;
    const url = `sqlite:${db}`;
    const jobs = Array.from(
      { length: 3_000 },
      () => `{"handler":"h","args":"${"x".repeat(60)}"}\n`,
    );
    await Deno.writeTextFile(`${dir}/jobs.jsonl`, jobs.join(""));
    const put = await runCoord(["queue", "put", "q", "--from", `${dir}/jobs.jsonl`, "--url", url]);
    assert.equal(put.code, 0, put.stderr);
    await Deno.remove(`${dir}/jobs.jsonl`);
    // The jobs' pages, the file's last, overwritten as a disk fault would.
    const bytes = await Deno.readFile(db);
    bytes.fill(0xff, bytes.length - 40 * 4096, bytes.length - 10 * 4096);
    await Deno.writeFile(db, bytes);
    const before = await contents(dir);
    for (const args of [["queue", "status", "q", "--url", url], ["doctor", "--url", url]]) {
      const r = await runCoord(args);
      assert.equal(r.code, 65, r.stderr);
      assert.equal(
        r.stderr,
        `coord: ${url} is damaged (database disk image is malformed) — coord leaves the file as ` +
          `it is; restore it from a backup, or choose another file with --url sqlite:PATH\n`,
      );
      assert.deepEqual(await contents(dir), before, "no byte written");
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

/**
 * Damages `db` under the processes that have it open, as a disk fault would: its pages past the
 * second overwritten, then a commit that touches only the first, so that their next look reads
 * the others afresh.
 */
async function damageUnderfoot(db: string): Promise<void> {
  // The processes write the file all the while: wait for their locks rather than fail (CI once
  // failed here with "database is locked"), and repeat the checkpoint until no reader held it
  // back, so that no page left in the log could cover the damage.
  const file = new DatabaseSync(db);
  file.exec("PRAGMA busy_timeout = 10000");
  await until(
    () => (file.prepare("PRAGMA wal_checkpoint(TRUNCATE)").get() as { busy: number }).busy === 0,
    { what: "a whole checkpoint" },
  );
  file.close();
  const bytes = await Deno.readFile(db);
  bytes.fill(0xde, 2 * 4096);
  await Deno.writeFile(db, bytes);
  const again = new DatabaseSync(db);
  again.exec("PRAGMA busy_timeout = 10000");
  again.exec("PRAGMA user_version = 7");
  again.close();
}

Deno.test("a worker and a scheduler whose file is damaged under them exit 65 in one line", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const env = { COORD_URL: `sqlite:${dir}/data.db` };
    const log = `${dir}/log`;
    await Deno.writeTextFile(`${dir}/jobs.cron`, `@every 1s name=beat  echo beat >> ${log}\n`);
    for (
      const args of [["--id", "now", "--", "sh", "-c", `echo job >> ${log}`], [
        "--delay",
        "3600",
        "--handler",
        "h",
      ]]
    ) {
      const put = await runCoord(["queue", "put", "q", ...args], { env });
      assert.equal(put.code, 0, put.stderr);
    }
    // Before this fix the worker's idle poll threw from a timer (exit 1); after that, both
    // logged the damage every second for ever.
    const worker = spawnCoord(["queue", "work", "q", "--allow-commands"], { env });
    const scheduler = spawnCoord(["schedule", "run", `${dir}/jobs.cron`], { env });
    await lineIn(log, /^job$/);
    await lineIn(log, /^beat$/);
    await damageUnderfoot(`${dir}/data.db`);
    for (const p of [worker, scheduler]) {
      const r = await guarded(p.result, "exit on the damaged file", 30_000);
      assert.equal(r.code, 65, r.stderr);
      // Which page a process reads first decides SQLite's word for the damage.
      assert.match(
        r.stderr,
        new RegExp(
          `^coord: sqlite:\\S+ is damaged \\((database disk image is malformed|file is not a ` +
            `database)\\) — coord leaves the file as it is; restore it from a backup, or choose ` +
            `another file with --url sqlite:PATH\n$`,
        ),
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("another program's SQLite database exits 65 naming its tables and is left untouched", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const db = `${dir}/app.db`;
    const theirs = new DatabaseSync(db);
    theirs.exec("CREATE TABLE users (name TEXT); INSERT INTO users VALUES ('ada')");
    theirs.close();
    const before = await contents(dir);
    const r = await runCoord(["queue", "put", "q", "--handler", "h", "--url", `sqlite:${db}`]);
    assert.equal(r.code, 65, r.stderr);
    assert.equal(
      r.stderr,
      `coord: sqlite:${db} is another program's SQLite database (tables users) — coord leaves it ` +
        `as it is; choose another file with --url sqlite:PATH\n`,
    );
    assert.deepEqual(await contents(dir), before, "no byte written, no file beside it");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("an empty file is a new database: coord makes its tables there", async () => {
  const dir = await Deno.makeTempDir();
  try {
    const db = `${dir}/made-beforehand.db`;
    await Deno.writeFile(db, new Uint8Array());
    const r = await runCoord(["queue", "put", "q", "--handler", "h", "--url", `sqlite:${db}`]);
    assert.equal(r.code, 0, r.stderr);
    const file = new DatabaseSync(db, { readOnly: true });
    try {
      assert.deepEqual(file.prepare("SELECT id FROM coord_queue_job").all().map((r) => r.id), [
        "1",
      ]);
    } finally {
      file.close();
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a lock holder whose SQLite file is removed loses its lease and stops its command", async () => {
  const dir = await Deno.makeTempDir();
  const holder = spawnCoord(
    ["lock", "run", "removed", "--expire", "3", "--", "sh", "-c", "echo holding; sleep 1000"],
    { env: { COORD_URL: `sqlite:${dir}/a.db` } },
  );
  try {
    await holder.stdoutLine(/^holding$/, 30_000);
    for (const suffix of ["", "-wal", "-shm"]) await Deno.remove(`${dir}/a.db${suffix}`);
    // Another process opening the path now finds the lock free: this one must not go on.
    const { code, stderr } = await guarded(holder.result, "the holder's exit");
    assert.equal(code, 75, stderr);
    assert.match(stderr, /lost the lease/);
  } finally {
    await holder[Symbol.asyncDispose]();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("a worker and a scheduler whose SQLite file is removed under them exit 69 in one line", async () => {
  const dir = await Deno.makeTempDir();
  const env = { COORD_URL: `sqlite:${dir}/data.db` };
  const log = `${dir}/log`;
  try {
    await Deno.writeTextFile(`${dir}/jobs.cron`, `@every 1s name=beat  echo beat >> ${log}\n`);
    const put = await runCoord(
      ["queue", "put", "q", "--", "sh", "-c", `echo job >> ${log}; sleep 2`],
      { env },
    );
    assert.equal(put.code, 0, put.stderr);
    // Before, both retried every second for ever: the file they write is one nobody opens.
    await using worker = spawnCoord(["queue", "work", "q", "--allow-commands"], { env });
    await using scheduler = spawnCoord(["schedule", "run", `${dir}/jobs.cron`], { env });
    await lineIn(log, /^job$/);
    await lineIn(log, /^beat$/);
    for (const suffix of ["", "-wal", "-shm"]) await Deno.remove(`${dir}/data.db${suffix}`);
    for (const [what, p] of [["worker", worker], ["scheduler", scheduler]] as const) {
      const r = await guarded(p.result, `the ${what}'s exit on the removed file`, 30_000);
      assert.equal(r.code, 69, r.stderr);
      assert.match(
        r.stderr,
        /^coord: sqlite:\S+: the database file was removed or replaced since it was opened — start again to open the file now at that path\n$/m,
      );
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
