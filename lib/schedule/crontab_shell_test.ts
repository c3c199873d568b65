import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { parseCrontab, refuseUnparsableCommands } from "./crontab.ts";

Deno.test("refuseUnparsableCommands() refuses a command sh cannot parse, naming the line", async () => {
  // Before: taken, and failed at every tick with sh's "Unterminated quoted string".
  const text = '@hourly echo ok\n\n@hourly echo "unterminated\n';
  await assert.rejects(
    () => refuseUnparsableCommands("jobs.cron", parseCrontab("jobs.cron", text)),
    (e) =>
      e instanceof UsageError &&
      /^jobs\.cron:3: sh cannot parse the command \(.*[Uu]nterminated.*\) — it would fail at every tick$/
        .test(e.message),
  );
  // A quote in a comment is no quote to sh.
  const tasks = parseCrontab("jobs.cron", "@hourly name=ok echo hi # it's fine\n");
  await refuseUnparsableCommands("jobs.cron", tasks);
  assert.equal(tasks[0].command, "echo hi # it's fine");
});
