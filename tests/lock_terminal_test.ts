/**
 * `coord lock run` on a terminal (under script(1), which gives it a pty): CMD is the terminal's
 * foreground job, and still stopped with all it started when the lease is lost.
 */

import assert from "node:assert/strict";
import { runCoord, spawnCoord } from "./support/cli.ts";
import { tempDir, tempSqlite } from "./support/temp.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

const hasScript = (() => {
  try {
    return new Deno.Command("script", { args: ["--version"] }).outputSync().success;
  } catch {
    return false;
  }
})();

/** A coord running on a pseudo-terminal, typed at through `type`. */
interface OnTerminal {
  type(text: string): Promise<void>;
  /** Resolves once the terminal showed text matching `pattern`; rejects at the hang guard. */
  shown(pattern: RegExp, hangGuardMs?: number): Promise<void>;
  /** Resolves with coord's exit status once it exited; the terminal stays open till `close`. */
  exited(): Promise<number>;
  /** Ends the terminal's session; resolves with all it showed. */
  close(): Promise<string>;
}

/**
 * Starts coord on a pseudo-terminal, in a shell that keeps the terminal open after coord exited
 * (a closing terminal hangs up its foreground processes, which would hide what coord left).
 */
function onTerminal(args: string[], env: Record<string, string> = {}): OnTerminal {
  const coord = [Deno.execPath(), "run", "-A", "--quiet", MAIN, ...args]
    .map((a) => `'${a.replaceAll("'", `'\\''`)}'`).join(" ");
  const child = new Deno.Command("script", {
    args: ["-qfc", `${coord}; echo "coord exited $?"; read end`, "/dev/null"],
    stdin: "piped",
    stdout: "piped",
    env: { NO_COLOR: "1", ...env },
  }).spawn();
  const keyboard = child.stdin.getWriter();
  let text = "";
  const output = (async () => {
    const decoder = new TextDecoder();
    for await (const chunk of child.stdout) text += decoder.decode(chunk, { stream: true });
  })();
  const shown = async (pattern: RegExp, hangGuardMs = 15_000) => {
    const deadline = performance.now() + hangGuardMs;
    while (!pattern.test(text)) {
      if (performance.now() > deadline) throw new Error(`never shown ${pattern}: ${text}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  };
  return {
    type: (typed) => keyboard.write(new TextEncoder().encode(typed)),
    shown,
    async exited() {
      await shown(/coord exited \d+/);
      return Number(/coord exited (\d+)/.exec(text)![1]);
    },
    async close() {
      await keyboard.write(new TextEncoder().encode("\n")).catch(() => {});
      await keyboard.close().catch(() => {});
      await child.status;
      await output;
      return text;
    },
  };
}

/** Runs coord on a terminal (see {@link onTerminal}) to its end: its exit code and what it showed. */
async function endedOnTerminal(
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; shown: string }> {
  const coord = onTerminal(args, env);
  let code: number;
  try {
    code = await coord.exited();
  } catch (error) {
    // Closed whether or not it ended: a test that failed leaves no terminal open.
    await coord.close();
    throw error;
  }
  return { code, shown: await coord.close() };
}

/** Resolves once `pid` is gone; kills it and rejects if it is still there after the guard. */
async function gone(pid: number, hangGuardMs = 10_000): Promise<void> {
  const deadline = performance.now() + hangGuardMs;
  for (;;) {
    try {
      Deno.kill(pid, "SIGCONT");
    } catch {
      return;
    }
    if (performance.now() > deadline) {
      Deno.kill(pid, "SIGKILL");
      throw new Error(`process ${pid} outlived its group's stop`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

Deno.test({
  name: "on a terminal, CMD reads the keyboard and Ctrl-C reaches it",
  ignore: !hasScript,
  async fn() {
    await using db = await tempSqlite();
    const coord = onTerminal([
      "lock",
      "run",
      "tty",
      "--url",
      db.url,
      "--",
      "sh",
      "-c",
      "echo ready; read line; echo got:$line; exec sleep 1000",
    ]);
    try {
      await coord.shown(/ready/);
      await coord.type("hello\n");
      await coord.shown(/got:hello/);
      await coord.type("\x03");
      assert.equal(await coord.exited(), 130);
    } finally {
      await coord.close();
    }
    const next = await runCoord([
      "lock",
      "run",
      "tty",
      "--wait",
      "0",
      "--url",
      db.url,
      "--",
      "true",
    ]);
    assert.equal(next.code, 0, "the lock was given back");
  },
});

Deno.test({
  name: "on a terminal, a lost lease still stops CMD's grandchildren",
  ignore: !hasScript,
  async fn() {
    await using db = await tempSqlite();
    await using temp = await tempDir("coord-test-");
    const pidFile = `${temp.path}/pid`;
    const coord = onTerminal([
      "lock",
      "run",
      "tty-lost",
      "--expire",
      "3",
      "--url",
      db.url,
      "--",
      "sh",
      "-c",
      `sleep 1000 >/dev/null 2>&1 & echo $! > ${pidFile}; echo ready; wait`,
    ]);
    try {
      await coord.shown(/ready/);
      const grandchild = Number(await Deno.readTextFile(pidFile));
      const reset = await runCoord([
        "turn",
        "reset",
        "tty-lost",
        "--force",
        "--url",
        db.url,
      ]);
      assert.equal(reset.code, 0, reset.stderr);
      assert.equal(await coord.exited(), 75);
      await gone(grandchild);
    } finally {
      await coord.close();
    }
  },
});

Deno.test({
  name: "on a terminal, a CMD that does not exist is coord's own line, as off one",
  ignore: !hasScript,
  async fn() {
    await using db = await tempSqlite();
    const { shown } = await endedOnTerminal([
      "lock",
      "run",
      "tty",
      "--url",
      db.url,
      "--",
      "/nonexistent",
    ]);
    // Before: the shell's "…/coord-pgid-…: exec: /nonexistent: not found", naming a temp file.
    assert.match(shown, /coord: command not found: \/nonexistent/);
    assert.doesNotMatch(shown, /coord-pgid/);
  },
});

Deno.test({
  name: "on a terminal, a CMD that is there but not executable exits 126 as off one",
  ignore: !hasScript,
  async fn() {
    await using db = await tempSqlite();
    await using temp = await tempDir("coord-test-");
    const program = `${temp.path}/plain`;
    await Deno.writeTextFile(program, "echo ran\n", { mode: 0o644 });
    const { code, shown } = await endedOnTerminal([
      "lock",
      "run",
      "tty",
      "--url",
      db.url,
      "--",
      program,
    ]);
    // Before: 127 and "command not found", where off a terminal it is 126, as README says.
    assert.equal(code, 126, shown);
    assert.match(shown, /coord: cannot run .*plain: permission denied/);
    const off = await runCoord(["lock", "run", "tty", "--url", db.url, "--", program]);
    assert.equal(off.code, 126, off.stderr);
  },
});

Deno.test({
  name:
    "on a terminal, a bare CMD name only a file coord may not run answers is not found (127), as off one",
  ignore: !hasScript,
  async fn() {
    await using db = await tempSqlite();
    await using temp = await tempDir("coord-test-");
    await Deno.writeTextFile(`${temp.path}/plainprog`, "echo ran\n", { mode: 0o644 });
    const path = `${temp.path}:${Deno.env.get("PATH")}`;
    const args = ["lock", "run", "tty", "--url", db.url, "--", "plainprog"];
    const { code, shown } = await endedOnTerminal(args, { PATH: path });
    assert.equal(code, 127, shown);
    assert.match(shown, /coord: command not found: plainprog/);
    const off = await runCoord(args, { env: { PATH: path } });
    assert.equal(off.code, 127, off.stderr);
  },
});

Deno.test({
  name: "on a terminal, a waiter that gives up wipes its progress line before saying so",
  ignore: !hasScript,
  async fn() {
    await using db = await tempSqlite();
    await using holder = spawnCoord(
      ["lock", "run", "busy", "--url", db.url, "--", "sh", "-c", "echo held; exec sleep 600"],
    );
    await holder.stdoutLine(/^held$/);
    const waiter = onTerminal([
      "lock",
      "run",
      "busy",
      "--wait",
      "0.6",
      "--url",
      db.url,
      "--",
      "true",
    ]);
    let shown;
    try {
      assert.equal(await waiter.exited(), 75);
    } finally {
      shown = await waiter.close();
    }
    assert.match(shown, /waiting for busy: 1 ahead/);
    assert.ok(shown.includes('\r\x1b[2Kcoord: lock "busy": not granted'), JSON.stringify(shown));
  },
});
