/**
 * What coord's children get and how they are stopped — `coord lock run`'s CMD, crontab commands
 * and command jobs — as separate processes, on every backend.
 */

import assert from "node:assert/strict";
import { type CaseContext, conformance, envOf } from "../support/backends.ts";
import { runCoord, spawnCoord } from "../support/cli.ts";
import { processRuns } from "../support/host.ts";
import { users } from "../support/lock.ts";
import { BackendUnavailableError } from "../../lib/errors.ts";
import { parseProcStat } from "../../lib/proc_stat.ts";
import { guarded, until } from "../support/wait.ts";

/**
 * coord's environment with its credentials. The Redis servers under test have no password, so
 * one in COORD_PASSWORD would be refused: it is set on SQLite only, which ignores it; COORD_URL
 * is the secret on every backend (a URL may carry the password).
 */
const withSecrets = (ctx: CaseContext) => ({
  ...envOf(ctx),
  ...(ctx.label === "sqlite" && { COORD_PASSWORD: "pass-word-of-coord" }),
});

/** The secret variables a child's `env` output shows (each once: a task may run twice). */
const secretsIn = (envOutput: string) =>
  [
    ...new Set(
      envOutput.split("\n").filter((line) => /^(\[\w+\] )?COORD_(URL|PASSWORD)=/.test(line))
        .map((line) => line.replace(/^\[\w+\] /, "").split("=")[0]),
    ),
  ].sort();

const expectedSecrets = (ctx: CaseContext) =>
  ctx.label === "sqlite" ? ["COORD_PASSWORD", "COORD_URL"] : ["COORD_URL"];

/** Options of {@link withGrandchild} and {@link movedSleep}. */
interface SleepOptions {
  /** The sleep ignores SIGTERM (CMD does not): only a SIGKILL ends it. Default false. */
  sleepIgnoresTerm?: boolean;
}

/** A command that starts a grandchild (`sleep`), writes its pid to `pidFile`, then waits. */
const withGrandchild = (pidFile: string, { sleepIgnoresTerm = false }: SleepOptions = {}) => [
  "sh",
  "-c",
  `${sleepIgnoresTerm ? `(trap "" TERM; exec sleep 1000)` : "sleep 1000"} >/dev/null 2>&1 & ` +
  `echo $! > ${pidFile}; echo ready >&2; wait`,
];

/**
 * A shell command that starts `sleep 1000` under GNU `timeout`, which moves itself and the sleep
 * to a process group of their own (setpgid), and goes on once the sleep's pid is in `pidFile`.
 * Their output goes elsewhere: left running, they would hold coord's pipes open.
 */
const movedSleep = (pidFile: string, { sleepIgnoresTerm = false }: SleepOptions = {}) =>
  `timeout 100 sh -c '${sleepIgnoresTerm ? `trap "" TERM; ` : ""}echo $$ > ${pidFile}; ` +
  `exec sleep 1000' </dev/null >/dev/null 2>&1 & ` +
  `until [ -s ${pidFile} ]; do sleep 0.01; done`;

/**
 * Runs `fn` with a file for {@link withGrandchild}'s pid (or {@link movedSleep}'s); afterwards,
 * pass or fail, the sleep is killed and the file removed, so a failing test leaves no
 * `sleep 1000` behind.
 */
async function withPidFile(fn: (pidFile: string) => Promise<void>): Promise<void> {
  const pidFile = await Deno.makeTempFile();
  try {
    await fn(pidFile);
  } finally {
    const pid = Number(await Deno.readTextFile(pidFile));
    try {
      if (pid > 0) Deno.kill(pid, "SIGKILL");
    } catch {
      // Gone, as it should be.
    }
    await Deno.remove(pidFile);
  }
}

/**
 * Resolves once `pid` no longer runs (gone, or a zombie its parent has not reaped yet); rejects
 * if it still runs after the hang guard.
 */
async function gone(pid: number, hangGuardMs = 10_000): Promise<void> {
  const deadline = performance.now() + hangGuardMs;
  while (processRuns(pid)) {
    if (performance.now() > deadline) throw new Error(`process ${pid} outlived its group's stop`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

conformance("what CMD leaves running is stopped before the lock passes on", async (ctx) => {
  await withPidFile(async (pidFile) => {
    const r = await runCoord([
      "lock",
      "run",
      "leftover",
      "--",
      "sh",
      "-c",
      `sleep 1000 >/dev/null 2>&1 & echo $! > ${pidFile}`,
    ], { env: envOf(ctx) });
    assert.equal(r.code, 0, r.stderr);
    await gone(Number(await Deno.readTextFile(pidFile)));
  });
});

conformance("a lost lease stops CMD's whole process group, grandchildren too", async (ctx) => {
  await withPidFile(async (pidFile) => {
    const holder = spawnCoord([
      "lock",
      "run",
      "grp",
      "--expire",
      "3",
      "--",
      // Only the SIGKILL after the grace ends the sleep, which a stop that did not wait for the
      // group to be gone would not get to send.
      ...withGrandchild(pidFile, { sleepIgnoresTerm: true }),
    ], {
      env: envOf(ctx),
    });
    await holder.stderrLine(/^ready$/);
    const grandchild = Number(await Deno.readTextFile(pidFile));
    const reset = await runCoord(["turn", "reset", "grp", "--force"], { env: envOf(ctx) });
    assert.equal(reset.code, 0, reset.stderr);
    const r = await holder.result;
    assert.equal(r.code, 75, r.stderr);
    assert.match(r.stderr, /lost the lease/);
    // Right as coord exits, not polled for: a poll would pass a stop that did not wait.
    assert.equal(processRuns(grandchild), false, "coord went on while the grandchild ran");
  });
});

conformance(
  "a lost lease stops what CMD moved to a process group of its own (timeout), in its session",
  async (ctx) => {
    await withPidFile(async (pidFile) => {
      const holder = spawnCoord([
        "lock",
        "run",
        "moved",
        "--expire",
        "3",
        "--",
        "sh",
        "-c",
        // Only the SIGKILL after the grace ends the sleep (and timeout, which passes SIGTERM on
        // and waits), which a stop that did not wait for the session would not get to send.
        `${movedSleep(pidFile, { sleepIgnoresTerm: true })}; echo ready >&2; wait`,
      ], { env: envOf(ctx) });
      await holder.stderrLine(/^ready$/);
      const sleep = Number(await Deno.readTextFile(pidFile));
      const reset = await runCoord(["turn", "reset", "moved", "--force"], { env: envOf(ctx) });
      assert.equal(reset.code, 0, reset.stderr);
      const r = await holder.result;
      assert.equal(r.code, 75, r.stderr);
      assert.match(r.stderr, /lost the lease/);
      // Right as coord exits, not polled for: a poll would pass a stop that did not wait.
      assert.equal(processRuns(sleep), false, "coord went on while the sleep under timeout ran");
    });
  },
);

conformance(
  "what CMD left running in a group of its own is stopped when CMD exits",
  async (ctx) => {
    await withPidFile(async (pidFile) => {
      const r = await runCoord(
        ["lock", "run", "moved-left", "--", "sh", "-c", movedSleep(pidFile)],
        { env: envOf(ctx) },
      );
      assert.equal(r.code, 0, r.stderr);
      await gone(Number(await Deno.readTextFile(pidFile)));
    });
  },
);

conformance(
  "a coord frozen past its lease stops CMD's grandchildren when it resumes",
  async (ctx) => {
    const backend = await ctx.open();
    await withPidFile(async (pidFile) => {
      const holder = spawnCoord([
        "lock",
        "run",
        "frozen",
        "--expire",
        "1",
        "--",
        ...withGrandchild(pidFile),
      ], {
        env: envOf(ctx),
      });
      await holder.stderrLine(/^ready$/);
      const grandchild = Number(await Deno.readTextFile(pidFile));
      let exited = false;
      holder.result.then(() => exited = true);
      const signal = (name: Deno.Signal) => {
        try {
          holder.kill(name);
        } catch {
          exited = true;
        }
      };
      // On SQLite a coord frozen inside a write transaction (a renewal) keeps the write lock and
      // the queue cannot be read: thaw it, and freeze it again outside one.
      while (!exited) {
        signal("SIGSTOP");
        try {
          await users(backend, "frozen", 0);
          break;
        } catch (error) {
          if (!(error instanceof BackendUnavailableError)) throw error;
        } finally {
          signal("SIGCONT");
        }
      }
      const r = await holder.result;
      assert.equal(r.code, 75, r.stderr);
      await gone(grandchild);
    });
  },
);

conformance(
  "a lost lease stops CMD whose main thread ended while its other threads run on",
  async (ctx) => {
    const program = new URL("../support/main_thread_exit.ts", import.meta.url).pathname;
    await using holder = spawnCoord([
      "lock",
      "run",
      "threads",
      "--expire",
      "3",
      "--",
      "sh",
      "-c",
      // Deaf to SIGTERM (ignored stays ignored across exec): only the SIGKILL after the grace
      // ends it, which a stop that took it for a zombie (/proc shows its main thread's state)
      // would not send, nor would coord, waiting for CMD's exit, ever end.
      `trap "" TERM; exec "$0" run --allow-ffi "$1"`,
      Deno.execPath(),
      program,
    ], { env: envOf(ctx) });
    const pid = Number(await holder.stdoutLine(/^\d+$/));
    try {
      await until(
        async () => parseProcStat(await Deno.readTextFile(`/proc/${pid}/stat`)).state === "Z",
        { what: "CMD's main thread to end" },
      );
      const reset = await runCoord(["turn", "reset", "threads", "--force"], { env: envOf(ctx) });
      assert.equal(reset.code, 0, reset.stderr);
      const r = await guarded(holder.result, "coord's end after its lease was lost");
      assert.equal(r.code, 75, r.stderr);
      assert.match(r.stderr, /lost the lease/);
      // Right as coord exits, not polled for: a poll would pass a stop that did not wait.
      assert.equal(processRuns(pid), false, "coord went on while CMD's threads ran");
    } finally {
      try {
        Deno.kill(pid, "SIGKILL");
      } catch {
        // Gone, as it should be.
      }
    }
  },
);

conformance("SIGTERM to coord lock run reaches CMD's grandchildren", async (ctx) => {
  const backend = await ctx.open();
  await withPidFile(async (pidFile) => {
    const holder = spawnCoord(["lock", "run", "term-grp", "--", ...withGrandchild(pidFile)], {
      env: envOf(ctx),
    });
    await holder.stderrLine(/^ready$/);
    const grandchild = Number(await Deno.readTextFile(pidFile));
    holder.kill("SIGTERM");
    assert.equal((await holder.result).code, 143);
    await gone(grandchild);
    assert.deepEqual((await backend.lock.status("term-grp"))?.users, []);
  });
});

conformance("a lock's CMD gets no COORD_URL or COORD_PASSWORD, unless --pass-env", async (ctx) => {
  const plain = await runCoord(["lock", "run", "env", "--", "env"], { env: withSecrets(ctx) });
  assert.equal(plain.code, 0, plain.stderr);
  assert.deepEqual(secretsIn(plain.stdout), []);
  assert.match(plain.stdout, /^COORD_TOKEN=\d+$/m);
  const passed = await runCoord(
    ["lock", "run", "env", "--pass-env", "COORD_URL,COORD_PASSWORD", "--", "env"],
    { env: withSecrets(ctx) },
  );
  assert.equal(passed.code, 0, passed.stderr);
  assert.deepEqual(secretsIn(passed.stdout), expectedSecrets(ctx));
});

conformance(
  "a crontab command gets no COORD_URL or COORD_PASSWORD, unless --pass-env",
  async (ctx) => {
    const file = await Deno.makeTempFile({ suffix: ".cron" });
    await Deno.writeTextFile(file, "@every 1s name=env env; echo done\n");
    for (const passEnv of [[], ["--pass-env", "COORD_URL", "--pass-env", "COORD_PASSWORD"]]) {
      const scheduler = spawnCoord(["schedule", "run", file, ...passEnv], {
        env: withSecrets(ctx),
      });
      await scheduler.stdoutLine(/^\[env\] done$/);
      scheduler.kill("SIGTERM");
      const r = await scheduler.result;
      assert.equal(r.code, 0, r.stderr);
      assert.match(r.stdout, /^\[env\] COORD_TASK=env$/m);
      assert.deepEqual(secretsIn(r.stdout), passEnv.length ? expectedSecrets(ctx) : []);
    }
    await Deno.remove(file);
  },
);

conformance(
  "a command job gets no COORD_URL or COORD_PASSWORD, unless --pass-env",
  async (ctx) => {
    for (const passEnv of [[], ["--pass-env", "COORD_PASSWORD,COORD_URL"]]) {
      const put = await runCoord(["queue", "put", "envq", "--", "env"], { env: withSecrets(ctx) });
      assert.equal(put.code, 0, put.stderr);
      const job = put.stdout.trim();
      const worker = await runCoord(
        ["queue", "work", "envq", "--allow-commands", "--drain", ...passEnv],
        { env: withSecrets(ctx) },
      );
      assert.equal(worker.code, 0, worker.stderr);
      const waited = await runCoord(["queue", "wait", job], { env: envOf(ctx) });
      assert.equal(waited.code, 0, waited.stderr);
      const { stdout } = JSON.parse(waited.stdout);
      assert.deepEqual(secretsIn(stdout), passEnv.length ? expectedSecrets(ctx) : []);
    }
  },
);

conformance("a command job ends with its command: what it left running is stopped", async (ctx) => {
  await withPidFile(async (pidFile) => {
    // The leftover holds the job's stdout open: before, the job waited for it.
    const put = await runCoord(
      ["queue", "put", "leftq", "--", "sh", "-c", `sleep 1000 & echo $! > ${pidFile}; echo hi`],
      { env: envOf(ctx) },
    );
    assert.equal(put.code, 0, put.stderr);
    const worker = await runCoord(["queue", "work", "leftq", "--allow-commands", "--drain"], {
      env: envOf(ctx),
    });
    assert.equal(worker.code, 0, worker.stderr);
    const waited = await runCoord(["queue", "wait", put.stdout.trim()], { env: envOf(ctx) });
    assert.equal(waited.code, 0, waited.stderr);
    assert.equal(JSON.parse(waited.stdout).stdout, "hi\n");
    await gone(Number(await Deno.readTextFile(pidFile)));
  });
});

conformance(
  "a command job's leftover in a group of its own (timeout) ends with the job",
  async (ctx) => {
    await withPidFile(async (pidFile) => {
      const put = await runCoord(
        ["queue", "put", "movedq", "--", "sh", "-c", movedSleep(pidFile)],
        { env: envOf(ctx) },
      );
      assert.equal(put.code, 0, put.stderr);
      const worker = await runCoord(["queue", "work", "movedq", "--allow-commands", "--drain"], {
        env: envOf(ctx),
      });
      assert.equal(worker.code, 0, worker.stderr);
      await gone(Number(await Deno.readTextFile(pidFile)));
    });
  },
);

conformance("a crontab command's leftovers end with its run", async (ctx) => {
  await withPidFile(async (pidFile) => {
    const file = await Deno.makeTempFile({ suffix: ".cron" });
    await Deno.writeTextFile(
      file,
      `@every 1s name=left sleep 1000 >/dev/null 2>&1 & echo $! > ${pidFile}; echo started\n`,
    );
    const scheduler = spawnCoord(["schedule", "run", file, "--instance", "left"], {
      env: envOf(ctx),
    });
    try {
      await scheduler.stdoutLine(/^\[left\] started$/);
      await gone(Number(await Deno.readTextFile(pidFile)));
    } finally {
      scheduler.kill("SIGTERM");
      await scheduler.result;
      await Deno.remove(file);
    }
  });
});

conformance(
  "a crontab command's leftover in a group of its own (timeout) ends with its run",
  async (ctx) => {
    await withPidFile(async (pidFile) => {
      const file = await Deno.makeTempFile({ suffix: ".cron" });
      // The first run only starts it: the ticks, every second, would write over the pid.
      await Deno.writeTextFile(
        file,
        `@every 1s name=moved if [ ! -s ${pidFile} ]; then ${movedSleep(pidFile)}; fi; ` +
          "echo started\n",
      );
      const scheduler = spawnCoord(["schedule", "run", file, "--instance", "moved"], {
        env: envOf(ctx),
      });
      try {
        await scheduler.stdoutLine(/^\[moved\] started$/);
        await gone(Number(await Deno.readTextFile(pidFile)));
      } finally {
        scheduler.kill("SIGTERM");
        await scheduler.result;
        await Deno.remove(file);
      }
    });
  },
);

conformance(
  "--url and --namespace given as flags reach the command as COORD_URL and COORD_NAMESPACE",
  async (ctx) => {
    const show = ["sh", "-c", 'echo "url=$COORD_URL ns=$COORD_NAMESPACE"'];
    const flags = ["--url", ctx.url, "--namespace", ctx.namespace];
    const passed = await runCoord([
      "lock",
      "run",
      "flags",
      ...flags,
      "--pass-env",
      "COORD_URL",
      "--",
      ...show,
    ]);
    assert.equal(passed.code, 0, passed.stderr);
    assert.equal(passed.stdout.trim(), `url=${ctx.url} ns=${ctx.namespace}`);
    const withheld = await runCoord(["lock", "run", "flags", ...flags, "--", ...show]);
    assert.equal(withheld.stdout.trim(), `url= ns=${ctx.namespace}`);
  },
);

Deno.test("--pass-env with a variable coord does not withhold exits 64 with one line", async () => {
  const file = await Deno.makeTempFile({ suffix: ".cron" });
  await Deno.writeTextFile(file, "@every 1s true\n");
  for (
    const args of [
      ["lock", "run", "r", "--pass-env", "HOME", "--url", "sqlite::memory:", "--", "true"],
      ["schedule", "run", file, "--pass-env", "COORD_URL,PATH", "--url", "sqlite::memory:"],
      ["queue", "work", "q", "--pass-env", "COORD_PASSWORD_TYPO", "--url", "sqlite::memory:"],
    ]
  ) {
    const r = await runCoord(args);
    assert.equal(r.code, 64, args.join(" "));
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.match(r.stderr, /--pass-env takes COORD_URL, COORD_PASSWORD/);
  }
  await Deno.remove(file);
});
