/**
 * `coord lock run`'s stop reaches what CMD runs in a process group of its own (GNU `timeout`
 * moves itself into one), as real processes on Linux: gone by the time coord exits, so nothing
 * of CMD runs beside the lock's next holder. Command jobs and scheduled commands are stopped by
 * the same `ProcessGroup.stop` (lib/subprocess_test.ts covers it there).
 */

import assert from "node:assert/strict";
import { runCoord, spawnCoord } from "./support/cli.ts";
import { processLives } from "./support/host.ts";
import { tempDir } from "./support/temp.ts";
import { HANG_GUARD_MS, lineIn } from "./support/wait.ts";

const linux = Deno.build.os === "linux";

/** The pids of a `timeout` and of the `sleep` it runs, as CMD's shell wrote them. */
interface Escaped {
  timeout: number;
  sleep: number;
}

/**
 * Runs `fn` with a `coord lock run` CMD that starts `timeout 300 sleep 300` in the background
 * (its output elsewhere: it would hold coord's pipes, and the test's wait, open), says `ready`
 * on stderr once both pids are written, and waits; `escaped` reads the pids. Afterwards, pass or
 * fail, the processes it read are killed (only those: pids written in another PID namespace name
 * other processes here).
 */
async function withEscapedSleep(
  fn: (url: string, cmd: string[], escaped: () => Promise<Escaped>) => Promise<void>,
): Promise<void> {
  await using dir = await tempDir("coord-escaped-");
  const [timeoutFile, sleepFile] = [`${dir.path}/timeout.pid`, `${dir.path}/sleep.pid`];
  const cmd = [
    "sh",
    "-c",
    `timeout 300 sh -c 'echo $$ > "$0"; exec sleep 300' ${sleepFile} >/dev/null 2>&1 & echo $! > ${timeoutFile}; ` +
    `while [ ! -s ${sleepFile} ]; do sleep 0.01; done; echo ready >&2; wait`,
  ];
  let read: Escaped | undefined;
  const escaped = async () =>
    read = {
      timeout: Number(await lineIn(timeoutFile, /^\d+$/)),
      sleep: Number(await lineIn(sleepFile, /^\d+$/)),
    };
  try {
    await fn(`sqlite:${dir.path}/coord.db`, cmd, escaped);
  } finally {
    for (const pid of Object.values(read ?? {})) {
      if (processLives(pid)) Deno.kill(pid, "SIGKILL");
    }
  }
}

function assertGone({ timeout, sleep }: Escaped): void {
  assert.ok(!processLives(sleep), `the sleep (${sleep}) under timeout outlived coord`);
  assert.ok(!processLives(timeout), `timeout (${timeout}) outlived coord`);
}

Deno.test({
  name: "a lost lease stops what CMD runs in a process group of its own before coord exits",
  ignore: !linux,
  async fn() {
    await withEscapedSleep(async (url, cmd, escaped) => {
      const holder = spawnCoord([
        "lock",
        "run",
        "esc",
        "--expire",
        "3",
        "--url",
        url,
        "--",
        ...cmd,
      ]);
      await holder.stderrLine(/^ready$/);
      const pids = await escaped();
      const reset = await runCoord(["turn", "reset", "esc", "--force", "--url", url]);
      assert.equal(reset.code, 0, reset.stderr);
      const r = await holder.result;
      assert.equal(r.code, 75, r.stderr);
      assertGone(pids);
    });
  },
});

Deno.test({
  name: "SIGTERM to coord reaches what CMD runs in a process group of its own",
  ignore: !linux,
  async fn() {
    await withEscapedSleep(async (url, cmd, escaped) => {
      const holder = spawnCoord(["lock", "run", "esc", "--url", url, "--", ...cmd]);
      await holder.stderrLine(/^ready$/);
      const pids = await escaped();
      holder.kill("SIGTERM");
      const r = await holder.result;
      assert.equal(r.code, 143, r.stderr);
      assertGone(pids);
    });
  },
});

/** Whether this host lets a user make a user and PID namespace (`unshare -r -p`). */
const canUnshare = linux && (() => {
  try {
    const args = ["--user", "--map-root-user", "--pid", "--fork", "true"];
    return new Deno.Command("unshare", { args, stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
})();

Deno.test({
  name: "under another PID namespace's /proc a lost lease still stops CMD's own group",
  ignore: !canUnshare,
  async fn() {
    await withEscapedSleep(async (url, cmd) => {
      // No --mount-proc: /proc stays the host's, where CMD's pids name other processes.
      const coord = [Deno.execPath(), "run", "-A", "--quiet", "main.ts"];
      const inNamespace = [
        ...["--user", "--map-root-user", "--pid", "--fork", "--kill-child"],
        ...[...coord, "lock", "run", "esc", "--expire", "3", "--url", url, "--", ...cmd],
      ];
      const holder = new Deno.Command("unshare", {
        args: inNamespace,
        cwd: new URL("..", import.meta.url).pathname,
        stdout: "null",
        stderr: "piped",
        // The namespace's processes end with coord (its pid 1); a hung stop fails the test.
        signal: AbortSignal.timeout(HANG_GUARD_MS),
      }).spawn();
      const stderr = holder.stderr.pipeThrough(new TextDecoderStream()).getReader();
      let seen = "";
      while (!/^ready$/m.test(seen)) {
        const { value, done } = await stderr.read();
        assert.ok(!done, `coord ended before its command was ready: ${seen}`);
        seen += value;
      }
      const reset = await runCoord(["turn", "reset", "esc", "--force", "--url", url]);
      assert.equal(reset.code, 0, reset.stderr);
      for (let chunk; !(chunk = await stderr.read()).done;) seen += chunk.value;
      // 75 comes once CMD's group is gone: a stop that signalled nothing would never end.
      assert.equal((await holder.status).code, 75, seen);
    });
  },
});

/** Whether this host lets the test reuse a pid on purpose: root, for `ns_last_pid`. */
const canReusePids = linux && Deno.uid() === 0 && (() => {
  try {
    const args = ["--pid", "--fork", "--mount-proc", "true"];
    return new Deno.Command("unshare", { args, stderr: "null" }).outputSync().success;
  } catch {
    return false;
  }
})();

/**
 * In a PID namespace of its own (its sh is pid 1, so nothing outlives it): CMD starts `timeout`
 * (a group of its own), a passed-on SIGHUP ends timeout while CMD runs on, timeout's pid is
 * handed to an unrelated group leader (`ns_last_pid`), and then the lease is lost. Prints
 * whether that unrelated process outlived coord's stop.
 */
const REUSE_SCRIPT = `set -e
D=$1; shift
"$@" lock run esc --url sqlite:$D/coord.db -- sh -c "trap '' HUP; timeout 300 sleep 300 & echo \\$! > $D/t; wait; touch $D/next; sleep 300" &
C=$!
until [ -s $D/t ]; do sleep 0.01; done; T=$(cat $D/t)
until [ "$(cut -d' ' -f5 /proc/$T/stat)" = "$T" ]; do sleep 0.01; done
kill -HUP $C
until [ -e $D/next ]; do sleep 0.01; done
echo $((T-1)) > /proc/sys/kernel/ns_last_pid
setsid sleep 300 & V=$!
until [ "$(cut -d' ' -f5 /proc/$V/stat 2>/dev/null)" = "$V" ]; do sleep 0.01; done
[ "$V" = "$T" ] || { echo "pid not reused: $V, not $T"; exit 1; }
"$@" turn reset esc --force --url sqlite:$D/coord.db
set +e; wait $C; echo "coord $?"
if [ "$(cut -d' ' -f3 /proc/$V/stat 2>/dev/null)" = S ]; then echo "other lives"; fi
`;

Deno.test({
  name: "a lost lease leaves alone a group id CMD's timeout had once the pid is another's",
  // Loud: the pid reuse needs root (ns_last_pid) and unshare; CI runs as root.
  ignore: !canReusePids,
  async fn() {
    await using dir = await tempDir("coord-reuse-");
    const coord = [Deno.execPath(), "run", "-A", "--quiet", "main.ts"];
    const { stdout, stderr } = await new Deno.Command("unshare", {
      args: ["--pid", "--fork", "--mount-proc", "sh", "-c", REUSE_SCRIPT, "sh", dir.path, ...coord],
      cwd: new URL("..", import.meta.url).pathname,
      stderr: "piped",
      stdout: "piped",
      signal: AbortSignal.timeout(HANG_GUARD_MS),
    }).output();
    const out = new TextDecoder().decode(stdout);
    const said = `${out}${new TextDecoder().decode(stderr)}`;
    assert.match(out, /^coord 75$/m, said);
    assert.match(
      out,
      /^other lives$/m,
      `the unrelated process given timeout's pid was signalled: ${said}`,
    );
  },
});

if (linux && !canReusePids) {
  console.warn(
    "lock_escaped_group_test.ts: the pid-reuse case is skipped: it needs root and unshare",
  );
}
