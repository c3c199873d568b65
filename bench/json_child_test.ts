import { deepStrictEqual, notStrictEqual, rejects, strictEqual } from "node:assert/strict";
import { killAll, spawnJsonChild } from "./json_child.ts";

/** A child that says it is ready, then ends when its stdin closes. */
const UNTIL_STDIN_CLOSES = `
console.log(JSON.stringify({ ready: true }));
console.log("not JSON");
for await (const _ of Deno.stdin.readable) {}
console.log(JSON.stringify({ ended: true }));
`;

Deno.test("spawnJsonChild() gathers JSON lines and ends when stdin closes", async () => {
  const child = spawnJsonChild(["eval", UNTIL_STDIN_CLOSES]);
  deepStrictEqual(await child.waitFor("ready", 10_000), { ready: true });
  await child.closeStdin();
  strictEqual((await child.done).code, 0);
  deepStrictEqual(child.lines, [{ ready: true }, { ended: true }]);
  await child.closeStdin(); // a second close is a no-op
});

Deno.test("waitFor() rejects when the child exits before the field", async () => {
  const child = spawnJsonChild(["eval", "console.error('error: boom'); Deno.exit(3)"], {
    stdin: false,
    noun: "worker",
  });
  await rejects(child.waitFor("ready", 10_000), {
    message: 'a worker exited 3 before "ready": error: boom',
  });
});

Deno.test("waitFor() rejects after its timeout, and killAll() stops the child", async () => {
  const child = spawnJsonChild(["eval", UNTIL_STDIN_CLOSES]);
  await rejects(child.waitFor("never", 50), { message: 'no "never" from a process within 0.05 s' });
  await killAll([child, undefined]);
  notStrictEqual((await child.done).code, 0);
});

Deno.test("stdinClosed() aborts in the child once the bench closes its stdin", async () => {
  const helper = new URL("./json_child.ts", import.meta.url).href;
  const child = spawnJsonChild([
    "eval",
    `import { stdinClosed } from "${helper}";
    const stop = stdinClosed();
    console.log(JSON.stringify({ ready: stop.aborted }));
    stop.addEventListener("abort", () => console.log(JSON.stringify({ ended: true })));`,
  ]);
  deepStrictEqual(await child.waitFor("ready", 10_000), { ready: false });
  await child.closeStdin();
  strictEqual((await child.done).code, 0);
  deepStrictEqual(child.lines, [{ ready: false }, { ended: true }]);
});
