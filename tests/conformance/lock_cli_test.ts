/** `coord lock run` as separate processes, on every backend. */

import assert from "node:assert/strict";
import { users } from "../support/lock.ts";
import { conformance, envOf } from "../support/backends.ts";
import { childrenOf, runCoord, spawnCoord } from "../support/cli.ts";
import { tempDir } from "../support/temp.ts";
import { guarded, HANG_GUARD_MS, until } from "../support/wait.ts";

/**
 * A command that says so on stderr once it runs, then holds the lock until the test ends it,
 * however slow the machine is.
 */
const HOLD = ["sh", "-c", "echo holding >&2; exec sleep 300"];

conformance("10 coord lock processes never overlap and run in ticket order", async (ctx) => {
  await using temp = await tempDir("coord-test-");
  const log = `${temp.path}/log`;
  const script =
    `echo "start $COORD_TOKEN" >> ${log}; sleep 0.05; echo "end $COORD_TOKEN" >> ${log}`;
  // Tokens are handed out in arrival order, whatever order the processes start in.
  const processes = [];
  for (let i = 0; i < 10; i++) {
    processes.push(
      spawnCoord(["lock", "run", "file", "--", "sh", "-c", script], { env: envOf(ctx) }),
    );
  }
  for (const p of processes) assert.equal((await p.result).code, 0);
  const lines = (await Deno.readTextFile(log)).trim().split("\n");
  const tokens = lines.filter((_, i) => i % 2 === 0).map((line) => Number(line.split(" ")[1]));
  const expected = tokens.flatMap((token) => [`start ${token}`, `end ${token}`]);
  assert.deepEqual(lines, expected, "each start is followed by its own end");
  assert.equal(tokens.length, 10);
  assert.deepEqual(tokens, [...tokens].sort((a, b) => a - b), "tokens in order");
  assert.equal(new Set(tokens).size, 10, "no token twice");
  await Deno.remove(log);
});

conformance("coord lock passes the command's exit status through", async (ctx) => {
  for (const [script, code] of [["exit 0", 0], ["exit 7", 7], ["kill -9 $$", 137]] as const) {
    const r = await runCoord(["lock", "status-res", "--", "sh", "-c", script], { env: envOf(ctx) });
    assert.equal(r.code, code, script);
  }
});

conformance("COORD_LOCK and COORD_TOKEN reach the command", async (ctx) => {
  const r = await runCoord(
    ["lock", "env-res", "--", "sh", "-c", 'echo "$COORD_LOCK $COORD_TOKEN"'],
    {
      env: envOf(ctx),
    },
  );
  assert.match(r.stdout.trim(), /^env-res [1-9]\d*$/);
});

conformance("a SIGKILLed holder is passed over once its lease lapses", async (ctx) => {
  const backend = await ctx.open();
  await using holder = spawnCoord(["lock", "crash", "--expire", "1", "--", ...HOLD], {
    env: envOf(ctx),
  });
  await holder.stderrLine(/^holding$/);
  // SIGKILL leaves coord's command running, holding its output open: it is ended after coord.
  const command = await childrenOf(holder.pid);
  // Timed on the backend's clock from the kill to the grant it announces, so neither process
  // starting or exiting on a busy machine counts. Listening before the waiter asks: a grant
  // before the kill (the holder's lease lapsing on a busy machine) must not be missed either.
  const listening = new AbortController();
  const hangGuard = setTimeout(() => listening.abort(), HANG_GUARD_MS);
  const events = await backend.events("lock", ["crash"], listening.signal);
  // A lease of its own a busy machine renews in time (at load 17 one of 1 s lapsed: exit 75).
  await using waiter = spawnCoord(["lock", "crash", "--expire", "30", "--", "echo", "granted"], {
    env: envOf(ctx),
  });
  // Its ticket, rather than two users: the holder may already be gone as said above.
  await until(async () => ((await backend.lock.status("crash"))?.tickets ?? 0) >= 2, {
    what: "the waiter's ticket",
  });
  const killedAt = await backend.now();
  for (
    const kill of [
      () => holder.kill("SIGKILL"),
      ...command.map((pid) => () => Deno.kill(pid, "SIGKILL")),
    ]
  ) {
    try {
      kill();
    } catch {
      // Already gone: the holder lost its lease first, as above, and ended its command.
    }
  }
  let grantedAt = NaN;
  for await (const { event } of events) {
    const { event: kind, ticket } = event as { event: string; ticket?: number };
    if (kind === "granted" && ticket === 2) {
      grantedAt = await backend.now();
      listening.abort();
    }
  }
  clearTimeout(hangGuard);
  const r = await waiter.result;
  const tookMs = grantedAt - killedAt;
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout.trim(), "granted");
  // Its lease (1 s), and the waiter's wake-up: within a second on a quiet machine, seconds at
  // load 14 (a bound of 2.5 s failed in CI): how soon is not for a test on a busy machine to
  // say. This bound only tells a grant at the lease's end from one at the hang guard's.
  assert.ok(tookMs < 10_000, `granted ${tookMs} ms after the kill`);
  await holder.result;
});

conformance(
  "coord lock exits as soon as its command does, however long --expire is",
  async (ctx) => {
    // A renewal timer left behind would keep it alive for 2/3 of --expire: 40 minutes here.
    await using p = spawnCoord(["lock", "brief", "--expire", "3600", "--", "true"], {
      env: envOf(ctx),
    });
    const r = await guarded(p.result, "exit");
    assert.equal(r.code, 0, r.stderr);
  },
);

conformance("SIGTERM to coord reaches the command, and its status comes back", async (ctx) => {
  const backend = await ctx.open();
  const p = spawnCoord(
    [
      "lock",
      "term",
      "--",
      "sh",
      "-c",
      "trap 'echo got TERM; kill $!; exit 3' TERM; echo ready >&2; sleep 20 & wait",
    ],
    { env: envOf(ctx) },
  );
  await p.stderrLine(/^ready$/);
  p.kill("SIGTERM");
  const r = await p.result;
  assert.equal(r.stdout.trim(), "got TERM");
  assert.equal(r.code, 3);
  assert.deepEqual((await backend.lock.status("term"))?.users, []);
});

conformance("--wait 0 on a held lock exits 75, or the --conflict-exit-code", async (ctx) => {
  const backend = await ctx.open();
  await using holder = spawnCoord(["lock", "held", "--", ...HOLD], { env: envOf(ctx) });
  await users(backend, "held", 1);
  const busy = await runCoord(["lock", "held", "--wait", "0", "--", "true"], { env: envOf(ctx) });
  assert.equal(busy.code, 75);
  assert.match(busy.stderr, /not granted within 0 s/);
  const coded = await runCoord(
    ["lock", "held", "--wait", "0", "--conflict-exit-code", "9", "--", "true"],
    { env: envOf(ctx) },
  );
  assert.equal(coded.code, 9);
  assert.deepEqual((await backend.lock.status("held"))?.users.length, 1);
  holder.kill("SIGTERM");
  await holder.result;
});

conformance("--limit 2 never lets more than two run at once", async (ctx) => {
  const backend = await ctx.open();
  await using temp = await tempDir("coord-test-");
  const [markers, log, go] = [`${temp.path}/markers`, `${temp.path}/log`, `${temp.path}/go`];
  await Deno.mkdir(markers);
  // Each holder records how many holders' marker files exist while it runs. The first two wait
  // for the go, given once all five are queued, so they run together however slowly the five
  // processes start.
  const script = `while [ ! -e ${go} ]; do sleep 0.05; done; ` +
    `touch ${markers}/$COORD_TOKEN; ls ${markers} | wc -l >> ${log}; sleep 0.2; ` +
    `ls ${markers} | wc -l >> ${log}; rm ${markers}/$COORD_TOKEN`;
  const processes = Array.from(
    { length: 5 },
    () =>
      spawnCoord(["lock", "pair", "--limit", "2", "--", "sh", "-c", script], { env: envOf(ctx) }),
  );
  await users(backend, "pair", 5);
  await Deno.writeTextFile(go, "");
  for (const p of processes) assert.equal((await p.result).code, 0);
  const counts = (await Deno.readTextFile(log)).trim().split(/\s+/).map(Number);
  assert.equal(counts.length, 10);
  assert.ok(Math.max(...counts) <= 2, `at most 2 at once: ${counts}`);
  assert.ok(counts.includes(2), "two did run together");
});

conformance("a limit mismatch exits 64 with both numbers", async (ctx) => {
  const backend = await ctx.open();
  await using holder = spawnCoord(["lock", "mix", "--limit", "2", "--", ...HOLD], {
    env: envOf(ctx),
  });
  await users(backend, "mix", 1);
  const r = await runCoord(["lock", "mix", "--limit", "3", "--", "true"], { env: envOf(ctx) });
  assert.equal(r.code, 64);
  assert.match(r.stderr, /up to 2 holders, but this one says 3/);
  holder.kill("SIGTERM");
  await holder.result;
});

conformance("a missing command exits 127 and passes the lock on", async (ctx) => {
  const r = await runCoord(["lock", "nocmd", "--", "no-such-command-xyz"], { env: envOf(ctx) });
  assert.equal(r.code, 127);
  assert.match(r.stderr, /command not found: no-such-command-xyz/);
  const next = await runCoord(["lock", "nocmd", "--wait", "0", "--", "true"], { env: envOf(ctx) });
  assert.equal(next.code, 0);
});

conformance("an empty or blank command exits 64 with one line, taking no ticket", async (ctx) => {
  const env = envOf(ctx);
  // Before: 127 ("command not found: "), after taking the lock and passing it on; for " ", until
  // it was refused as "" is.
  for (const program of ["", " \t"]) {
    const r = await runCoord(["lock", "run", "nocmd", "--", program, "arg"], { env });
    assert.equal(r.code, 64, r.stderr);
    assert.match(r.stderr, /^coord: missing the command: write -- CMD \[ARG…\]/);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
  const status = await runCoord(["turn", "status", "nocmd"], { env });
  assert.equal(status.stderr, 'No such queue: "nocmd".\n', "no ticket taken");
});

conformance("a program named by a space no shell splits at (U+00A0) runs", async (ctx) => {
  await using temp = await tempDir("coord-test-");
  // JavaScript's trim() takes U+00A0 for blank: the program was refused as missing.
  await Deno.writeTextFile(`${temp.path}/\u00a0`, "#!/bin/sh\necho ran\n", { mode: 0o755 });
  const env = { ...envOf(ctx), PATH: `${temp.path}:${Deno.env.get("PATH")}` };
  const r = await runCoord(["lock", "run", "nbsp", "--", "\u00a0"], { env });
  assert.equal(r.code, 0, r.stderr);
  assert.equal(r.stdout, "ran\n");
});

for (const [signal, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
  conformance(`${signal} while waiting leaves the queue and exits ${code}`, async (ctx) => {
    const backend = await ctx.open();
    await using holder = spawnCoord(["lock", "q", "--", ...HOLD], { env: envOf(ctx) });
    await users(backend, "q", 1);
    await using waiter = spawnCoord(["lock", "q", "--", "true"], { env: envOf(ctx) });
    await users(backend, "q", 2);
    waiter.kill(signal);
    assert.equal((await waiter.result).code, code);
    assert.equal((await backend.lock.status("q"))?.users.length, 1);
    holder.kill("SIGTERM");
    await holder.result;
  });
}

conformance("--json reports token, wait, hold and exit code on stderr", async (ctx) => {
  const r = await runCoord(["lock", "js", "--json", "--", "sh", "-c", "exit 4"], {
    env: envOf(ctx),
  });
  assert.equal(r.code, 4);
  const report = JSON.parse(r.stderr.trim().split("\n").at(-1)!);
  assert.equal(report.resource, "js");
  assert.ok(Number.isSafeInteger(report.token) && report.token > 0);
  assert.equal(report.exit_code, 4);
  assert.equal(typeof report.waited_ms, "number");
  assert.equal(typeof report.held_ms, "number");
});

conformance(
  "a RES starting with - goes between two -- for lock run, after -- for turn",
  async (ctx) => {
    const env = envOf(ctx);
    // As `flock -- -x CMD` and `etcdctl lock -- -x CMD` take it; coord's second -- marks CMD.
    const r = await runCoord([
      "lock",
      "run",
      "-n",
      "--",
      "-x",
      "--",
      "sh",
      "-c",
      'echo "$COORD_LOCK"',
    ], {
      env,
    });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout, "-x\n");
    const status = await runCoord(["turn", "status", "--json", "--", "-x"], { env });
    assert.equal(status.code, 0, status.stderr);
    assert.equal(JSON.parse(status.stdout).resource, "-x");
    const reset = await runCoord(["turn", "reset", "--", "-x"], { env });
    assert.equal(reset.code, 0, reset.stderr);
    assert.equal(reset.stderr, 'Reset "-x".\n');
  },
);

Deno.test("a RES starting with - where RES goes exits 64 with one line showing where it goes", async () => {
  for (
    const [args, way] of [
      [["lock", "run", "-x", "--", "true"], "coord lock run [options] -- -x -- CMD"],
      [["lock", "-xy", "--", "true"], "coord lock run [options] -- -xy -- CMD"],
      [["lock", "run", "--", "-x", "true"], "coord lock run [options] -- -x -- CMD"],
      [["turn", "status", "-x"], "coord turn status -- -x"],
      [["turn", "follow", "-x"], "coord turn follow -- -x"],
      [["turn", "reset", "-x", "--force"], "coord turn reset -- -x"],
    ] as const
  ) {
    const r = await runCoord([...args], { env: { COORD_URL: "sqlite::memory:" } });
    assert.equal(r.code, 64, args.join(" "));
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.ok(r.stderr.includes(`goes `) && r.stderr.includes(`--: ${way})`), r.stderr);
  }
});

Deno.test("bad coord lock arguments exit 64 with one line", async () => {
  for (
    const args of [
      ["lock", "r"],
      ["lock", "r", "--"],
      ["lock", "--", "true"],
      ["lock", "r", "extra", "--", "true"],
      ["lock", "r", "--limit", "0", "--", "true"],
      ["lock", "r", "--wait", "-1", "--", "true"],
      ["lock", "r", "--conflict-exit-code", "300", "--", "true"],
      ["lock", "r", "--bogus", "--", "true"],
      ["lock", "r", "--wait", "1000000000000", "--", "true"],
      ["lock", "r", "--patience", "25d", "--", "true"],
      ["lock", "r", "--expire", "soon", "--", "true"],
      ["lock", "r", "-w", "1", "-n", "--", "true"],
      ["lock", "r", "--label", "x".repeat(201), "--", "true"],
      ["lock", "r", "--connect-timeout", "1000000000000", "--", "true"],
    ]
  ) {
    const r = await runCoord(["lock", "--url", "sqlite::memory:", ...args.slice(1)]);
    assert.equal(r.code, 64, args.join(" "));
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});

Deno.test("a lease too short for coord lock or barrier names its flag", async () => {
  for (
    const [args, flag] of [
      [["lock", "r", "--expire", "0.1", "--", "true"], /^coord: --expire must be at least 0.3 s/],
      [["barrier", "b", "2", "--lease", "0.05"], /^coord: --lease must be at least 0.1 s/],
    ] as const
  ) {
    const r = await runCoord([args[0], "--url", "sqlite::memory:", ...args.slice(1)]);
    assert.equal(r.code, 64, args.join(" "));
    // It said "the lease must be…", leaving the user to guess which flag that was.
    assert.match(r.stderr, flag);
  }
});

Deno.test("coord lock --patience 0 names the flag, not the library's option", async () => {
  const r = await runCoord([
    "lock",
    "run",
    "r",
    "--patience",
    "0",
    "--url",
    "sqlite::memory:",
    "--",
    "true",
  ]);
  assert.equal(r.code, 64, r.stderr);
  assert.equal(
    r.stderr,
    'coord: --patience must be more than 0, got "0" — see coord lock --help\n',
  );
});

Deno.test("coord lock says where the command goes when -- is missing", async () => {
  for (const args of [["sh", "-c", "echo hi"], ["echo", "hi"]]) {
    const r = await runCoord(["lock", "mylock", "--url", "sqlite::memory:", ...args]);
    assert.equal(r.code, 64);
    assert.match(r.stderr, /^coord: put the command after --: coord lock RES \[options\] -- /);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
});

Deno.test("a negative or overlong duration is named, not called ambiguous", async () => {
  const negative = await runCoord(["lock", "r", "--wait", "-1", "--", "true"]);
  assert.equal(negative.code, 64);
  assert.match(negative.stderr, /--wait takes seconds ≥ 0 .* got "-1"/);
  const overlong = await runCoord([
    "lock",
    "r",
    "--connect-timeout",
    "1000000000000",
    "--",
    "true",
  ]);
  assert.equal(overlong.code, 64);
  assert.match(overlong.stderr, /--connect-timeout must be at most 24 days/);
  assert.doesNotMatch(overlong.stderr, /TimeoutOverflowWarning/);
});

conformance("flock's -n, -w S and -E work, and durations take units", async (ctx) => {
  const backend = await ctx.open();
  const holder = spawnCoord(["lock", "fl", "--", "sh", "-c", "exec sleep 20"], {
    env: envOf(ctx),
  });
  await users(backend, "fl", 1);
  const nonblock = await runCoord(["lock", "fl", "-n", "--", "true"], { env: envOf(ctx) });
  assert.equal(nonblock.code, 75, nonblock.stderr);
  const waited = await runCoord(["lock", "fl", "-w", "200ms", "-E", "3", "--", "true"], {
    env: envOf(ctx),
  });
  assert.equal(waited.code, 3, waited.stderr);
  assert.match(waited.stderr, /not granted within 0.2 s/);
  assert.equal((await backend.lock.status("fl"))?.users.length, 1, "both gave their ticket back");
  holder.kill("SIGTERM");
  await holder.result;
  const free = await runCoord(["lock", "fl", "--wait", "1m", "--expire", "2s", "--", "true"], {
    env: envOf(ctx),
  });
  assert.equal(free.code, 0, free.stderr);
});

conformance("the default label names the uid's account when $USER is unset", async (ctx) => {
  const backend = await ctx.open();
  const holder = spawnCoord(["lock", "who", "--", "sh", "-c", "exec sleep 20"], {
    env: { ...envOf(ctx), USER: "", LOGNAME: "" },
  });
  await users(backend, "who", 1);
  const [user] = (await backend.lock.status("who"))!.users;
  holder.kill("SIGTERM");
  await holder.result;
  const account = new TextDecoder().decode(
    (await new Deno.Command("id", { args: ["-un"] })
      .output()).stdout,
  ).trim();
  assert.match(user.label, new RegExp(`^${account}@.* pid \\d+$`));
});
