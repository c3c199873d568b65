import assert from "node:assert/strict";
import { until } from "../tests/support/wait.ts";
import { EscapedGroups, parseStat } from "./process_tree.ts";

Deno.test("parseStat() reads the fields after the last ')', whatever the command's name holds", () => {
  const fields = "S 7 40 30 0 -1 0 0 0 0 0 0 0 0 0 20 0 3 0 900 0 0";
  assert.deepEqual(parseStat(`41 (a) (b c) ) ${fields}`), {
    pid: 41,
    parentId: 7,
    groupId: 40,
    sessionId: 30,
    startTicks: 900,
    zombie: false,
    threads: 3,
  });
  assert.equal(parseStat(`41 (sleep) Z ${fields.slice(2)}`)?.zombie, true);
  assert.equal(parseStat("41 (sleep) S 7 40"), undefined);
  assert.equal(parseStat(""), undefined);
});

/** Runs `fn` with a new session whose `sh` runs `timeout` (a group of its own); then kills both. */
async function withTimeoutInTree(
  fn: (leader: number, timeout: number) => Promise<void>,
): Promise<void> {
  const child = new Deno.Command("sh", {
    args: ["-c", "timeout 300 sleep 300 & echo $!; wait"],
    detached: true,
    stdout: "piped",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  const timeout = parseInt((await reader.read()).value!);
  try {
    await fn(child.pid, timeout);
  } finally {
    for (const group of [timeout, child.pid]) {
      try {
        Deno.kill(-group, "SIGKILL");
      } catch {
        // already gone: the failure that brought the test here is the one to show
      }
    }
    await child.status;
    await reader.cancel();
  }
}

Deno.test({
  name: "EscapedGroups finds the group timeout made, and nothing where /proc shows another leader",
  ignore: Deno.build.os !== "linux",
  async fn() {
    await withTimeoutInTree(async (leader, timeout) => {
      const madeItsGroup = () =>
        parseStat(Deno.readTextFileSync(`/proc/${timeout}/stat`))?.groupId === timeout;
      await until(madeItsGroup, { what: "timeout's setpgid" });
      assert.deepEqual(new EscapedGroups(leader, Deno.pid).walk(true), [timeout]);
      // As a pid of another PID namespace's /proc would: not the leader coord started.
      assert.deepEqual(new EscapedGroups(leader, Deno.pid + 1).walk(true), []);
    });
  },
});
