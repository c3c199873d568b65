import assert from "node:assert/strict";
import { processExists, processRuns } from "../tests/support/host.ts";
import { parseProcStat } from "./proc_stat.ts";
import { sessionGroups } from "./session_groups.ts";
import {
  childEnv,
  KILL_WAIT_MS,
  processList,
  type SessionReader,
  spawnGroup,
  STOP_GRACE_MS,
  stopGraceMs,
} from "./subprocess.ts";
import { guarded } from "../tests/support/wait.ts";

/**
 * The first line of `stream`, which is then cancelled (the pipe closed): the programs tests read
 * a line from write nothing after it. Cancelled by this reader: a stream piped elsewhere (through
 * a TextDecoderStream) stays locked until its pipe sees the end, which a process the test has
 * yet to stop holds off.
 */
async function firstLine(stream: ReadableStream<Uint8Array>): Promise<string> {
  const reader = stream.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes("\n")) {
    const { value, done } = await reader.read();
    if (done) break;
    text += decoder.decode(value, { stream: true });
  }
  await reader.cancel();
  return text.split("\n")[0];
}

Deno.test("stop() SIGKILLs, after the grace, a group whose processes ignore SIGTERM", async () => {
  // The trap is inherited by sleep: neither sh nor its child ends on SIGTERM.
  const group = await spawnGroup("sh", {
    args: ["-c", `trap "" TERM; sleep 1000 & echo $!; wait`],
    stderr: "null",
  });
  const grandchild = Number(await firstLine(group.stdout));
  const stopFrom = performance.now();
  await group.stop();
  const tookMs = performance.now() - stopFrom;
  assert.equal((await group.status).signal, "SIGKILL");
  assert.ok(tookMs >= STOP_GRACE_MS, `SIGKILL came after ${tookMs} ms`);
  for (let i = 0; processExists(grandchild); i++) {
    assert.ok(i < 500, "the grandchild outlived SIGKILL to its group");
    await new Promise((r) => setTimeout(r, 20));
  }
});

Deno.test("stop() reaches what moved to a process group of its own, in the group's session", async () => {
  // GNU timeout moves itself and the sleep to a group of their own (setpgid).
  const group = await spawnGroup("sh", {
    args: ["-c", `timeout 100 sh -c 'echo $$; exec sleep 1000' & wait`],
    stderr: "null",
  });
  const moved = Number(await firstLine(group.stdout));
  try {
    await group.stop();
    assert.equal((await group.status).signal, "SIGTERM");
    for (let i = 0; processRuns(moved); i++) {
      assert.ok(i < 500, "the process in a group of its own outlived the stop");
      await new Promise((r) => setTimeout(r, 20));
    }
  } finally {
    try {
      Deno.kill(moved, "SIGKILL");
    } catch {
      // Gone, as it should be.
    }
  }
});

Deno.test("stop() leaves nothing of the session running, also what was forked after its SIGKILL", async () => {
  // Each timeout moves to a group of its own (setpgid), and the shell, deaf to SIGTERM, forks
  // them on and on: a pass over /proc misses those forked after it listed the processes. Missed
  // by the last pass before stop() resolved, one ran on in about a third of the stops.
  for (let stop = 1; stop <= 5; stop++) {
    const group = await spawnGroup("sh", {
      args: ["-c", `echo $$; trap "" TERM; while :; do timeout 100 sleep 100 & done`],
      stderr: "null",
      leaseMs: 600,
    });
    const session = Number(await firstLine(group.stdout));
    try {
      await group.stop();
      assert.deepEqual((await sessionGroups(session))?.running, [], `stop ${stop} left some`);
    } finally {
      for (const left of (await sessionGroups(session))?.groups ?? []) {
        try {
          Deno.kill(-left, "SIGKILL");
        } catch {
          // Gone, as it should be.
        }
      }
    }
  }
});

Deno.test("stop() stops a process whose main thread alone ended, which /proc shows as a zombie", async () => {
  const program = new URL("../tests/support/main_thread_exit.ts", import.meta.url).pathname;
  // sh exits at once: the program is left alone in the session, as `sh -c 'job &'` leaves it.
  const group = await spawnGroup("sh", {
    args: ["-c", `"$0" run --allow-ffi "$1" &`, Deno.execPath(), program],
    stderr: "null",
  });
  const pid = Number(await firstLine(group.stdout));
  try {
    for (
      let i = 0;
      parseProcStat(await Deno.readTextFile(`/proc/${pid}/stat`)).state !== "Z";
      i++
    ) {
      assert.ok(i < 500, "the program's main thread did not end");
      await new Promise((r) => setTimeout(r, 20));
    }
    await group.stop();
    assert.equal(processRuns(pid), false, "the stop left the program running");
  } finally {
    try {
      Deno.kill(pid, "SIGKILL");
    } catch {
      // Gone, as it should be.
    }
  }
});

Deno.test("stop() SIGKILLs at the grace's end while a pass over /proc that outlasts the grace is under way", async () => {
  const killed = Promise.withResolvers<number>();
  let passes = 0;
  // The stop's first pass ends only once the command was killed: a SIGKILL that waited for it
  // would never come, and the pass gives up at the guard.
  const readSession: SessionReader = async (sessionId, options) => {
    if (passes++ === 0) await guarded(killed.promise, "SIGKILL while the first pass ran");
    return sessionGroups(sessionId, options);
  };
  const group = await spawnGroup("sh", {
    args: ["-c", `trap "" TERM; echo $$; sleep 1000 & wait`],
    stderr: "null",
    leaseMs: 600,
    readSession,
  });
  const groupId = Number(await firstLine(group.stdout));
  try {
    const stopFrom = performance.now();
    group.status.then(() => killed.resolve(performance.now()));
    await group.stop();
    assert.equal((await group.status).signal, "SIGKILL");
    // Not before the grace: a timer fires up to a few tenths of a millisecond early by
    // performance.now(), a SIGKILL sent with the SIGTERM a hundred.
    const killedAfterMs = await killed.promise - stopFrom;
    assert.ok(killedAfterMs >= stopGraceMs(600) - 5, `SIGKILL came after ${killedAfterMs} ms`);
  } finally {
    try {
      Deno.kill(-groupId, "SIGKILL");
    } catch {
      // Gone, as it should be.
    }
  }
});

Deno.test("stop() gives up on what of the session runs on after its SIGKILL, and resolves with it", async () => {
  // A process in uninterruptible sleep cannot be made at will: the passes see one that stays,
  // by a pid above any Linux gives (pid_max is at most 2^22), and each one a process forked
  // just before it, which had no SIGKILL yet and is not named.
  const stuck = { pid: 2 ** 22 + 1, name: "stuck" };
  let passes = 0;
  const readSession: SessionReader = async (sessionId, options) => {
    const seen = await sessionGroups(sessionId, options);
    const forked = { pid: 2 ** 22 + 2 + passes++, name: "forked" };
    return seen && { ...seen, running: [...seen.running, stuck, forked] };
  };
  const group = await spawnGroup("sleep", { args: ["1000"], leaseMs: 600, readSession });
  const stopFrom = performance.now();
  const { leftRunning } = await group.finish(AbortSignal.abort());
  const tookMs = performance.now() - stopFrom;
  assert.equal((await group.status).signal, "SIGTERM");
  assert.deepEqual(leftRunning, [stuck]);
  assert.ok(tookMs >= KILL_WAIT_MS, `gave up after ${tookMs} ms`);
});

Deno.test("processList() names processes by pid and name, the first five", () => {
  const processes = [1, 2, 3, 4, 5, 6].map((pid) => ({ pid, name: `p${pid}` }));
  assert.equal(processList(processes.slice(0, 1)), "pid 1 (p1)");
  assert.equal(
    processList(processes),
    "pid 1 (p1), pid 2 (p2), pid 3 (p3), pid 4 (p4), pid 5 (p5), …",
  );
});

Deno.test("stop() ends a group that obeys SIGTERM with SIGTERM, not SIGKILL", async () => {
  const group = await spawnGroup("sh", { args: ["-c", "sleep 1000 & wait"], stdout: "null" });
  await group.stop();
  assert.equal((await group.status).signal, "SIGTERM");
});

Deno.test("finish() returns the output, and stops what the command left running", async () => {
  const group = await spawnGroup("sh", { args: ["-c", "sleep 1000 & echo $!"], stderr: "null" });
  const { status, output } = await group.finish(new AbortController().signal, async (drained) => {
    // The sleep holds the pipe open until it is stopped.
    const reader = group.stdout.pipeThrough(new TextDecoderStream()).getReader();
    drained.addEventListener("abort", () => reader.cancel(), { once: true });
    let text = "";
    for (let chunk; !(chunk = await reader.read()).done;) text += chunk.value;
    return text;
  });
  assert.equal(status.code, 0);
  const leftover = Number(output.trim());
  for (let i = 0; processExists(leftover); i++) {
    assert.ok(i < 500, "what the command left running outlived it");
    await new Promise((r) => setTimeout(r, 20));
  }
});

Deno.test("finish() stops the group when its signal aborts", async () => {
  const group = await spawnGroup("sleep", { args: ["1000"], stdout: "null", stderr: "null" });
  const { status } = await group.finish(AbortSignal.abort());
  assert.equal(status.signal, "SIGTERM");
});

Deno.test("stopGraceMs() is a sixth of the lease, at most STOP_GRACE_MS", () => {
  assert.equal(stopGraceMs(3_000), 500);
  assert.equal(stopGraceMs(60_000), STOP_GRACE_MS);
});

Deno.test("childEnv() withholds coord's credentials unless passed by name", () => {
  Deno.env.set("COORD_URL", "redis://:pw@host");
  Deno.env.set("COORD_PASSWORD", "pw");
  Deno.env.set("PGPASSWORD", "pg-pw");
  Deno.env.set("COORD_UI_PASSWORD", "ui-pw");
  try {
    const env = childEnv({ COORD_TOKEN: "7" });
    assert.equal(env.COORD_TOKEN, "7");
    assert.ok(!("COORD_URL" in env) && !("COORD_PASSWORD" in env) && !("PGPASSWORD" in env));
    assert.ok(!("COORD_UI_PASSWORD" in env));
    assert.equal(env.PATH, Deno.env.get("PATH"));
    const passed = childEnv({}, ["COORD_URL"]);
    assert.equal(passed.COORD_URL, "redis://:pw@host");
    assert.ok(!("COORD_PASSWORD" in passed));
  } finally {
    Deno.env.delete("COORD_URL");
    Deno.env.delete("COORD_PASSWORD");
    Deno.env.delete("PGPASSWORD");
    Deno.env.delete("COORD_UI_PASSWORD");
  }
});
