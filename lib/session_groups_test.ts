import assert from "node:assert/strict";
import { parseProcStat } from "./proc_stat.ts";
import { sessionGroups } from "./session_groups.ts";

Deno.test("sessionGroups() finds a new session's group, also when a program's name holds ') '", async () => {
  // /proc/PID/stat shows the name in parentheses, as it is: read by spaces, its fields shift.
  const dir = await Deno.makeTempDir();
  const program = `${dir}/odd) 1 2 3`;
  await Deno.copyFile("/bin/sleep", program);
  await Deno.chmod(program, 0o755);
  const child = new Deno.Command(program, { args: ["1000"], detached: true }).spawn();
  try {
    const seen = await sessionGroups(child.pid);
    assert.deepEqual(seen?.groups, new Set([child.pid]));
    assert.deepEqual(seen?.running, [{ pid: child.pid, name: "odd) 1 2 3" }]);
  } finally {
    child.kill("SIGKILL");
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
  const after = await sessionGroups(child.pid);
  assert.deepEqual(after?.groups, new Set());
  assert.deepEqual(after?.running, []);
});

Deno.test("sessionGroups() given an earlier pass's listing reads only processes started since", async () => {
  // The sh is listed by the first pass; the timeout it starts afterwards, in a group of its own
  // (setpgid), is not.
  const child = new Deno.Command("sh", {
    args: ["-c", "read _; timeout 100 sleep 1000 & echo $!; wait"],
    stdin: "piped",
    stdout: "piped",
    detached: true,
  }).spawn();
  const stdin = child.stdin.getWriter();
  const stdout = child.stdout.getReader();
  let started = 0;
  try {
    const first = await sessionGroups(child.pid);
    assert.deepEqual(first?.groups, new Set([child.pid]));
    await stdin.write(new TextEncoder().encode("\n"));
    started = Number(new TextDecoder().decode((await stdout.read()).value).trim());
    for (
      let i = 0;
      parseProcStat(await Deno.readTextFile(`/proc/${started}/stat`)).group !== started;
      i++
    ) {
      assert.ok(i < 500, "timeout did not move to a group of its own");
      await new Promise((r) => setTimeout(r, 20));
    }
    const second = await sessionGroups(child.pid, { listedBefore: first?.listed });
    assert.deepEqual(second?.groups, new Set([started]));
    assert.ok(second?.running.some((p) => p.pid === started), "timeout not seen running");
  } finally {
    // Both groups: the sleep under timeout is out of the sh's.
    for (const group of [child.pid, started]) if (group > 0) Deno.kill(-group, "SIGKILL");
    await child.status;
    await stdin.close().catch(() => {});
    await stdout.cancel();
  }
});
