/** What `coord barrier` shows on a terminal (run under script(1), which gives it a pty). */

import assert from "node:assert/strict";
import { tempSqlite } from "./support/temp.ts";

const MAIN = new URL("../main.ts", import.meta.url).pathname;

const hasScript = (() => {
  try {
    return new Deno.Command("script", { args: ["--version"] }).outputSync().success;
  } catch {
    return false;
  }
})();

/** Runs coord on a pseudo-terminal; returns everything it wrote there. */
async function onTerminal(args: string[]): Promise<string> {
  const command = [Deno.execPath(), "run", "-A", "--quiet", MAIN, ...args]
    .map((a) => `'${a}'`).join(" ");
  const { stdout } = await new Deno.Command("script", {
    args: ["-qec", command, "/dev/null"],
    stdin: "null",
    stdout: "piped",
    env: { NO_COLOR: "1" },
  }).output();
  return new TextDecoder().decode(stdout);
}

Deno.test({
  name: "on a terminal, a waiting coord shows how many have arrived, once per change",
  ignore: !hasScript,
  async fn() {
    await using db = await tempSqlite();
    const shown = await onTerminal([
      "barrier",
      "tty",
      "2",
      "--timeout",
      "0.6",
      "--url",
      db.url,
    ]);
    assert.equal(shown.match(/waiting at tty: 1\/2 arrived/g)?.length, 1, JSON.stringify(shown));
    // The progress line is wiped before the error, so the error starts a clean line.
    assert.ok(shown.includes('\r\x1b[2Kcoord: barrier "tty": timed out'), JSON.stringify(shown));
  },
});

Deno.test({
  name: "--quiet keeps a terminal free of progress",
  ignore: !hasScript,
  async fn() {
    await using db = await tempSqlite();
    const shown = await onTerminal([
      "barrier",
      "q",
      "2",
      "--timeout",
      "0.3",
      "--quiet",
      "--url",
      db.url,
    ]);
    assert.doesNotMatch(shown, /waiting at/);
  },
});
