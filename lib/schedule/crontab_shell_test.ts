import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { parseCrontab } from "./crontab.ts";

Deno.test("parseCrontab() refuses a command sh cannot parse, naming the line, before anything runs", () => {
  // Before: taken, and failed at every tick with sh's "Unterminated quoted string".
  assert.throws(
    () => parseCrontab("jobs.cron", '@hourly echo ok\n@hourly echo "unterminated\n'),
    (e) =>
      e instanceof UsageError &&
      /^jobs\.cron:2: sh cannot parse the command \(.*[Uu]nterminated.*\) — it would fail at every tick$/
        .test(e.message),
  );
  // A quote in a comment is no quote to sh.
  const [task] = parseCrontab("jobs.cron", "@hourly name=ok echo hi # it's fine\n");
  assert.equal(task.command, "echo hi # it's fine");
});
