/**
 * Long-running commands started while their server is briefly away (a restart, containers
 * started together) wait for it, as they ride out an outage once running; one-shot commands and
 * refused logins still fail at once.
 */

import assert from "node:assert/strict";
import { type CoordProcess, runCoord, spawnCoord } from "./support/cli.ts";
import {
  PASSWORD_ROLE,
  postgresBinDir,
  type PostgresServer,
  startPostgres,
} from "./support/postgres_server.ts";
import { redisServerAvailable, startStandalone } from "./support/redis_servers.ts";
import { tempDir } from "./support/temp.ts";
import { guarded, until } from "./support/wait.ts";
import { startWaitingUi } from "./ui_support.ts";

/** A server a test stops and starts again, and the URL of a login it refuses. */
interface HaltableServer {
  url: string;
  refusedUrl: string;
  halt(): Promise<void>;
  start(): Promise<void>;
}

/** The line a command says when it finds its server away at its start. */
const AWAY = /^coord: backend unavailable \(cannot reach .*\) — retrying every second for up to /;
const BACK = /^coord: backend back after \d+\.\d s$/;

/** `args` given `--url URL`: before a `--` the command takes. */
function withUrl(args: readonly string[], url: string): string[] {
  const end = args.includes("--") ? args.indexOf("--") : args.length;
  return [...args.slice(0, end), "--url", url, ...args.slice(end)];
}

/** Starts `args`, waits for it to say its server is away, then starts the server. */
async function startedWhileAway(server: HaltableServer, args: string[]): Promise<CoordProcess> {
  const command = spawnCoord(withUrl(args, server.url));
  try {
    await command.stderrLine(AWAY).catch(async (e) => {
      // Ended first if it still runs: its result is what it said instead.
      await command[Symbol.asyncDispose]();
      const { code, stderr } = await command.result;
      throw new Error(`did not wait for its server (exit ${code}): ${stderr}`, { cause: e });
    });
    await server.start();
    await command.stderrLine(BACK);
    return command;
  } catch (e) {
    // A failed start or wait leaves no coord behind.
    await command[Symbol.asyncDispose]();
    throw e;
  }
}

/**
 * `served`, halted and started only when it is not so already: a step that failed leaves the
 * server as it was, and the next step still runs.
 */
function toggled(served: HaltableServer): HaltableServer {
  let up = true;
  return {
    ...served,
    halt: async () => {
      if (up) await served.halt();
      up = false;
    },
    start: async () => {
      if (!up) await served.start();
      up = true;
    },
  };
}

function startCases(kind: string, serve: () => Promise<HaltableServer & AsyncDisposable>) {
  return async (t: Deno.TestContext) => {
    await using served = await serve();
    const server = toggled(served);
    await using temp = await tempDir("coord-test-");

    await t.step(
      `${kind}: queue work waits for its server at the start, then runs jobs`,
      async () => {
        await server.halt();
        await using worker = await startedWhileAway(server, [
          "queue",
          "work",
          "q",
          "--allow-commands",
          "--verbose",
        ]);
        const put = await runCoord([
          "queue",
          "put",
          "q",
          "--id",
          "j",
          "--url",
          server.url,
          "--",
          "true",
        ]);
        assert.equal(put.code, 0, put.stderr);
        await worker.stderrLine(/^coord: q\/j completed/);
      },
    );

    await t.step(
      `${kind}: schedule run waits for its server at the start, then runs ticks`,
      async () => {
        const file = `${temp.path}/crontab`;
        await Deno.writeTextFile(file, "@every 1s name=beat echo ran\n");
        await server.halt();
        await using scheduler = await startedWhileAway(server, ["schedule", "run", file]);
        await scheduler.stdoutLine(/^\[beat\] ran$/);
      },
    );

    await t.step(`${kind}: lock run --wait waits for its server at the start`, async () => {
      await server.halt();
      await using waiter = await startedWhileAway(server, [
        "lock",
        "run",
        "r",
        "--wait",
        "30",
        "--",
        "echo",
        "held",
      ]);
      const { code, stdout, stderr } = await waiter.result;
      assert.equal(code, 0, stderr);
      assert.equal(stdout, "held\n");
    });

    await t.step(`${kind}: barrier --timeout waits for its server at the start`, async () => {
      await server.halt();
      await using participant = await startedWhileAway(server, [
        "barrier",
        "b",
        "1",
        "--timeout",
        "30",
      ]);
      const { code, stderr } = await participant.result;
      assert.equal(code, 0, stderr);
    });

    await t.step(`${kind}: queue wait waits for its server at the start`, async () => {
      const put = await runCoord(
        ["queue", "put", "w", "--id", "j", "--url", server.url, "--", "echo", "done"],
      );
      assert.equal(put.code, 0, put.stderr);
      await server.halt();
      await using waiter = await startedWhileAway(server, [
        "queue",
        "wait",
        "w/j",
        "--timeout",
        "60",
      ]);
      const work = ["queue", "work", "w", "--allow-commands", "--drain", "--url", server.url];
      const worker = await runCoord(work);
      assert.equal(worker.code, 0, worker.stderr);
      const { code, stdout, stderr } = await waiter.result;
      assert.equal(code, 0, stderr);
      assert.deepEqual(JSON.parse(stdout), { exitCode: 0, stdout: "done\n" });
    });

    await t.step(
      `${kind}: turn follow waits for its server at the start, then follows`,
      async () => {
        await server.halt();
        await using follower = await startedWhileAway(server, ["turn", "follow"]);
        // It prints nothing once listening: locks are taken until it hears one.
        await until(async () => {
          const taken = await runCoord(withUrl(["lock", "run", "seen", "--", "true"], server.url));
          assert.equal(taken.code, 0, taken.stderr);
          return await follower.stdoutLine(/^seen: \d+ completed/, 2_000).then(
            () => true,
            () => false,
          );
        }, { what: "turn follow to hear a lock's events" });
      },
    );

    await t.step(
      `${kind}: ui listens while it waits for its server, answering 503, then serves`,
      async () => {
        await server.halt();
        await using ui = await startWaitingUi({ COORD_URL: server.url });
        const { root } = ui;
        const page = await fetch(root);
        const body = await page.text();
        assert.equal(page.status, 503, body);
        assert.match(body, /class="banner"[^>]*>Cannot read the backend: cannot reach /);
        assert.match(body, /<script src="\/assets\/client\.js"><\/script>/);
        const health = await fetch(`${root}health`);
        assert.equal(health.status, 503, await health.text());
        await server.start();
        // Said once the console serves, not restarted: the same port answers.
        await ui.process.stderrLine(/^coord ui: serving http/);
        for (const path of ["", "health"]) {
          const response = await fetch(`${root}${path}`);
          assert.equal(response.status, 200, `/${path}: ${await response.text()}`);
        }
      },
    );

    await t.step(`${kind}: lock run --json counts waited_ms from its start`, async () => {
      await server.halt();
      await using waiter = await startedWhileAway(server, [
        "lock",
        "run",
        "r",
        "--wait",
        "30",
        "--json",
        "--",
        "true",
      ]);
      const { code, stderr } = await guarded(waiter.result, "the waiter's exit");
      assert.equal(code, 0, stderr);
      const lines = stderr.trimEnd().split("\n");
      const outageS = Number(lines.find((line) => BACK.test(line))!.match(/(\d+\.\d) s$/)![1]);
      const { waited_ms } = JSON.parse(lines.at(-1)!);
      // Its --wait counts from its start too: the wait for the server is part of it.
      assert.ok(waited_ms >= outageS * 1000 - 50, `waited_ms ${waited_ms}, outage ${outageS} s`);
    });

    await t.step(
      `${kind}: lock run --wait S whose server stays away gives up at S, as in an outage`,
      async () => {
        await server.halt();
        const startedAt = performance.now();
        const { code, stderr } = await guarded(
          runCoord(["lock", "run", "r", "--wait", "3", "--url", server.url, "--", "true"]),
          "the waiter's exit",
        );
        assert.ok(performance.now() - startedAt >= 3_000, "it waited its --wait");
        const lines = stderr.trimEnd().split("\n");
        assert.equal(code, 75, stderr);
        assert.match(lines[0], AWAY);
        assert.match(
          lines[1],
          /^coord: lock "r": not granted within 3 s: the backend did not answer \(cannot reach .*\) — it took no ticket$/,
        );
        assert.equal(lines.length, 2, stderr);
      },
    );

    await t.step(
      `${kind}: lock run -E 0 whose server stays away past --wait exits 69, running nothing`,
      async () => {
        await server.halt();
        const { code, stdout, stderr } = await guarded(
          runCoord([
            "lock",
            "run",
            "r",
            "-w",
            "1",
            "-E",
            "0",
            "--url",
            server.url,
            "--",
            "echo",
            "RAN",
          ]),
          "the waiter's exit",
        );
        // The lock was never seen held: -E 0, "skip if another holds it", must not skip.
        assert.equal(code, 69, stderr);
        assert.equal(stdout, "");
        assert.match(
          stderr,
          /^coord: lock "r": not granted within 1 s: the backend did not answer/m,
        );
      },
    );

    await t.step(
      `${kind}: barrier --timeout S whose server stays away gives up at S, as in an outage`,
      async () => {
        await server.halt();
        const { code, stderr } = await guarded(
          runCoord(["barrier", "b", "2", "--timeout", "3", "--url", server.url]),
          "the participant's exit",
        );
        const lines = stderr.trimEnd().split("\n");
        assert.equal(code, 75, stderr);
        assert.match(lines[0], AWAY);
        assert.match(
          lines[1],
          /^coord: barrier "b": timed out after 3 s before it could arrive: the backend did not answer \(cannot reach .*\)$/,
        );
        assert.equal(lines.length, 2, stderr);
      },
    );

    await t.step(
      `${kind}: queue wait --timeout S whose server stays away gives up at S, as in an outage`,
      async () => {
        await server.halt();
        const { code, stderr } = await guarded(
          runCoord(["queue", "wait", "w/j", "w/k", "--timeout", "3", "--url", server.url]),
          "the waiter's exit",
        );
        const lines = stderr.trimEnd().split("\n");
        assert.equal(code, 75, stderr);
        assert.match(lines[0], AWAY);
        assert.match(
          lines[1],
          /^coord: jobs w\/j, w\/k: gave up waiting after 3 s: the backend did not answer \(cannot reach .*\)$/,
        );
        assert.equal(lines.length, 2, stderr);
      },
    );

    await t.step(`${kind}: a waiter whose server stays away past --expire exits 69`, async () => {
      await server.halt();
      const startedAt = performance.now();
      const { code, stderr } = await guarded(
        runCoord([
          "lock",
          "run",
          "r",
          "--wait",
          "30",
          "--expire",
          "3",
          "--url",
          server.url,
          "--",
          "true",
        ]),
        "the waiter's exit",
      );
      const lines = stderr.trimEnd().split("\n");
      assert.equal(code, 69, stderr);
      assert.match(lines[0], AWAY);
      // The time measured: a busy machine's last try may end a while after the limit.
      assert.match(lines[1], /^coord: cannot reach .* \(waited \d+(\.\d)? s for it\)$/);
      assert.equal(lines.length, 2, stderr);
      assert.ok(performance.now() - startedAt >= 3_000, "it waited its --expire");
    });

    for (
      const [args, signal, expected] of [
        [["queue", "work", "q"], "SIGTERM", 0],
        [["schedule", "run", `${temp.path}/crontab`], "SIGINT", 0],
        [["lock", "run", "r", "--wait", "30", "--", "true"], "SIGTERM", 143],
        [["barrier", "b", "2", "--timeout", "30"], "SIGHUP", 129],
        [["turn", "follow"], "SIGTERM", 0],
        [["ui", "--read-only", "--listen", "127.0.0.1:0"], "SIGINT", 0],
      ] as const
    ) {
      await t.step(
        `${kind}: ${args.slice(0, 2).join(" ")} stopped by ${signal} while its server is away ` +
          `exits ${expected}`,
        async () => {
          await server.halt();
          // Spawned directly: the signal reaches coord itself, as a service manager sends it.
          await using command = spawnCoord(withUrl(args, server.url));
          await command.stderrLine(AWAY);
          command.kill(signal);
          const { code, signal: killedBy, stderr } = await guarded(command.result, "its exit");
          assert.equal(killedBy, null, `killed by ${killedBy}, not exited: ${stderr}`);
          assert.equal(code, expected, stderr);
        },
      );
    }

    await t.step(`${kind}: a one-shot command fails at once while its server is away`, async () => {
      for (const args of [["queue", "put", "q", "--", "true"], ["turn", "status"]]) {
        const { code, stderr } = await runCoord(withUrl(args, server.url));
        assert.equal(code, 69, `${args.join(" ")}: ${stderr}`);
        assert.doesNotMatch(stderr, /retrying/);
      }
    });

    await t.step(`${kind}: a worker whose login is refused exits 69 at once`, async () => {
      await server.start();
      const { code, stderr } = await runCoord(["queue", "work", "q", "--url", server.refusedUrl]);
      assert.equal(code, 69, stderr);
      assert.doesNotMatch(stderr, /retrying/);
    });
  };
}

Deno.test({
  name: "redis: long-running commands started while the server is away wait for it",
  ignore: !redisServerAvailable(),
  fn: startCases("redis", async () => {
    // The append-only file keeps the job a waiter waits for through the halt.
    const server = await startStandalone({ appendonly: true, password: "right" });
    return {
      url: server.url,
      refusedUrl: server.url.replace(":right@", ":wrong@"),
      halt: server.halt,
      start: server.start,
      [Symbol.asyncDispose]: server.stop,
    };
  }),
});

Deno.test({
  name: "postgres: long-running commands started while the server is away wait for it",
  ignore: postgresBinDir() === undefined,
  fn: startCases("postgres", async () => {
    const server: PostgresServer = await startPostgres();
    return {
      url: server.url,
      refusedUrl: server.url.replace("coord@", `${PASSWORD_ROLE}:wrong@`),
      halt: () => server.halt("fast"),
      start: server.start,
      [Symbol.asyncDispose]: server.stop,
    };
  }),
});

Deno.test("a waiter's line for a server away at its start says the wait it was given", async () => {
  for (
    const args of [
      ["lock", "run", "r", "-w", "3", "--", "true"],
      ["barrier", "b", "2", "--timeout", "3"],
      ["queue", "wait", "q/j", "--timeout", "3"],
    ]
  ) {
    // Nothing listens on port 1. A wait of 3 s: a busy machine took over 1 s to start a command,
    // whose wait then ended before its first try.
    const { code, stderr } = await runCoord(withUrl(args, "redis://127.0.0.1:1"));
    assert.equal(code, 75, `${args.join(" ")}: ${stderr}`);
    // Not what was left of it once the command had started (for up to 2 s).
    assert.match(stderr.split("\n")[0], /— retrying every second for up to 3 s$/, args.join(" "));
  }
});

Deno.test("the line of a server away at the start escapes control characters, shows no password", async () => {
  // A host that cannot be found, and that the driver's error quotes as it is.
  await using worker = spawnCoord([
    "queue",
    "work",
    "q",
    "--url",
    "postgres://u:s3cret@ho%1b%5b31mst/db",
    "--connect-timeout",
    "1",
  ]);
  const line = await guarded(worker.stderrLine(/backend unavailable/), "the outage line");
  assert.ok(!line.includes("\x1b"), `a raw ESC: ${JSON.stringify(line)}`);
  assert.match(line, /ho\\x1b\[31mst/);
  assert.doesNotMatch(line, /s3cret/);
});

Deno.test("a long-running command given a bad name exits 64 at once, not after the wait", async () => {
  for (const args of [["turn", "follow", ""], ["queue", "work", ""]]) {
    // Nothing listens on port 1: a name checked only once the backend answered waits a minute.
    const { code, stderr } = await runCoord(withUrl(args, "redis://127.0.0.1:1"));
    assert.equal(code, 64, `${args.join(" ")}: ${stderr}`);
    assert.doesNotMatch(stderr, /retrying/, args.join(" "));
  }
});
