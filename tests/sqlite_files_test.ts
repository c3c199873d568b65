/** The SQLite file holds jobs' arguments and results: what coord creates, only its owner reads. */

import assert from "node:assert/strict";
import { runCoord } from "./support/cli.ts";

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
    const doctor = await runCoord(["doctor"], { env: { XDG_STATE_HOME: state } });
    assert.equal(doctor.code, 0, doctor.stderr);
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
    const doctor = await runCoord(["doctor", "--url", `sqlite:${db}`]);
    assert.equal(doctor.code, 0, doctor.stderr);
    assert.equal(await mode(db), "640");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
