import assert from "node:assert/strict";
import { sessionGroups } from "./session_groups.ts";

Deno.test("sessionGroups() finds a new session's group, also when a program's name holds ') '", async () => {
  // /proc/PID/stat shows the name in parentheses, as it is: read by spaces, its fields shift.
  const dir = await Deno.makeTempDir();
  const program = `${dir}/odd) 1 2 3`;
  await Deno.copyFile("/bin/sleep", program);
  await Deno.chmod(program, 0o755);
  const child = new Deno.Command(program, { args: ["1000"], detached: true }).spawn();
  try {
    assert.deepEqual(await sessionGroups(child.pid), { groups: new Set([child.pid]), runs: true });
  } finally {
    child.kill("SIGKILL");
    await child.status;
    await Deno.remove(dir, { recursive: true });
  }
  assert.deepEqual(await sessionGroups(child.pid), { groups: new Set(), runs: false });
});
