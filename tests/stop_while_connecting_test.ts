/**
 * A long-running command stopped while its first connection attempt is still under way — a
 * server that accepted it and never answers, as behind a firewall that drops packets — exits at
 * once, as it does between attempts, not once the attempt gives up at `--connect-timeout`.
 */

import assert from "node:assert/strict";
import { spawnCoord } from "./support/cli.ts";
import { type SilentKind, silentServer } from "./support/silent_server.ts";
import { tempDir } from "./support/temp.ts";
import { guarded } from "./support/wait.ts";

/** Far beyond the hang guard: an exit before the guard was not the attempt timing out. */
const CONNECT_TIMEOUT = ["--connect-timeout", "3600"];
/** How long a stopped command may take to exit: a hang guard for a start on a busy machine. */
const EXIT_GUARD_MS = 30_000;

/**
 * Starts `coord ARGS` at a silent server of `kind`, stops it with `signal` once the server has
 * its connection, and checks it exited with `code`, saying only `said` (a waiter says the stop).
 */
async function stoppedWhileConnecting(
  kind: SilentKind,
  args: readonly string[],
  signal: Deno.Signal,
  code: number,
  said: string,
): Promise<void> {
  await using silent = silentServer();
  const end = args.includes("--") ? args.indexOf("--") : args.length;
  // Spawned directly: the signal reaches coord itself, as a service manager sends it.
  await using command = spawnCoord([
    ...args.slice(0, end),
    "--url",
    silent.url(kind),
    ...CONNECT_TIMEOUT,
    ...args.slice(end),
  ]);
  await guarded(silent.accepted, "connection from coord");
  command.kill(signal);
  const result = await guarded(command.result, `exit after ${signal}`, EXIT_GUARD_MS);
  assert.equal(result.signal, null, `killed by ${result.signal}, not exited: ${result.stderr}`);
  assert.equal(result.code, code, result.stderr);
  // Nothing after its exit line: no attempt left behind failing aloud.
  assert.equal(result.stderr, said);
  assert.equal(result.stdout, "");
}

for (const kind of ["redis", "postgres"] as const) {
  Deno.test(`${kind}: a command stopped while its first connection goes unanswered exits at once`, async (t) => {
    await using temp = await tempDir("coord-test-");
    const crontab = `${temp.path}/crontab`;
    await Deno.writeTextFile(crontab, "@every 1s name=beat echo ran\n");
    for (
      const [args, signal, code, said] of [
        [["queue", "work", "q"], "SIGTERM", 0, ""],
        [["schedule", "run", crontab], "SIGINT", 0, ""],
        [["turn", "follow"], "SIGTERM", 0, ""],
        [["ui", "--read-only", "--listen", "127.0.0.1:0"], "SIGINT", 0, ""],
        [
          ["lock", "run", "r", "--wait", "30", "--", "true"],
          "SIGTERM",
          143,
          stoppedLine("SIGTERM"),
        ],
        [["barrier", "b", "2", "--timeout", "30"], "SIGHUP", 129, stoppedLine("SIGHUP")],
      ] as const
    ) {
      await t.step(
        `${args.slice(0, 2).join(" ")}: ${signal} exits ${code}`,
        () => stoppedWhileConnecting(kind, args, signal, code, said),
      );
    }
  });
}

// Each topology has connections of its own that a stop must drop: a cluster's to the root node
// it asks for the slots, the sentinels'.
for (const kind of ["cluster", "sentinel"] as const) {
  Deno.test(`${kind}: queue work stopped while its first connection goes unanswered exits at once`, () =>
    stoppedWhileConnecting(kind, ["queue", "work", "q"], "SIGTERM", 0, ""));
}

/** What a waiter says when a signal stops it. */
function stoppedLine(signal: Deno.Signal): string {
  return `coord: stopped by ${signal}\n`;
}
