import assert from "node:assert/strict";
import { UsageError } from "../errors.ts";
import { type CrontabTask, parseCrontab } from "./crontab.ts";
import { parseTiming } from "./timing.ts";

/** The one task of a one-line file. */
function only(line: string): CrontabTask {
  const tasks = parseCrontab("jobs.cron", line);
  assert.equal(tasks.length, 1);
  return tasks[0];
}

/** The message of the UsageError that parsing `text` must throw. */
function crontabError(text: string): string {
  let message = "";
  assert.throws(() => parseCrontab("jobs.cron", text), (e) => {
    assert.ok(e instanceof UsageError, `a UsageError, not ${e}`);
    assert.equal(e.exitCode, 64);
    message = e.message;
    return true;
  });
  return message;
}

Deno.test("parseCrontab() skips comments and blank lines", () => {
  const text = [
    "# nightly jobs",
    "",
    "   ",
    "0 3 * * *  name=rotate  /usr/local/bin/rotate-logs --all",
    "  # an indented comment",
    "",
  ].join("\n");
  assert.deepEqual(parseCrontab("jobs.cron", text), [{
    options: { name: "rotate", cron: "0 3 * * *" },
    command: "/usr/local/bin/rotate-logs --all",
    line: 4,
  }]);
});

Deno.test("parseCrontab() reads an empty file as no tasks", () => {
  assert.deepEqual(parseCrontab("jobs.cron", ""), []);
  assert.deepEqual(parseCrontab("jobs.cron", "# nothing yet\n\n"), []);
});

Deno.test("parseCrontab() reads CRLF line ends and surrounding blanks", () => {
  const [first, second] = parseCrontab("jobs.cron", "\t0 3 * * * ./a.sh  \r\n@hourly ./b.sh\r\n");
  assert.equal(first.command, "./a.sh");
  assert.equal(first.options.cron, "0 3 * * *");
  assert.equal(second.command, "./b.sh");
  assert.equal(second.line, 2);
});

Deno.test("parseCrontab() reads a 6-field line with seconds first", () => {
  const task = only("*/10 * * * * * ./tick.sh --fast");
  assert.equal(task.options.cron, "*/10 * * * * *");
  assert.equal(task.command, "./tick.sh --fast");
});

Deno.test("parseCrontab() reads day-of-week names in the last cron field", () => {
  assert.equal(only("0 9 * * MON-FRI ./weekdays.sh").options.cron, "0 9 * * MON-FRI");
  assert.equal(only("0 0 9 * * mon ./monday.sh").options.cron, "0 0 9 * * mon");
});

Deno.test("parseCrontab() reads an @every line", () => {
  const task = only("@every 30s  name=sync  ./sync.sh");
  assert.deepEqual(task.options, { name: "sync", cron: "@every 30s" });
  assert.equal(task.command, "./sync.sh");
});

Deno.test("parseCrontab() reads an @hourly line", () => {
  const task = only("@hourly name=report ./report.sh");
  assert.deepEqual(task.options, { name: "report", cron: "@hourly" });
  assert.equal(task.command, "./report.sh");
});

Deno.test("parseCrontab() reads every line option", () => {
  const task = only(
    "0 3 * * * name=backup TZ=Europe/Ljubljana mode=at-least-once failure=unlock lease=5m " +
      "retry=2s max-retries=0 timeout=10m fast-forward=no catch-up=within=5m overlap=replace " +
      "./backup.sh",
  );
  assert.deepEqual(task.options, {
    name: "backup",
    cron: "0 3 * * *",
    timezone: "Europe/Ljubljana",
    executionMode: "at-least-once",
    failureMode: "unlock",
    lease: "5m",
    retryDelay: "2s",
    maxRetries: 0,
    timeout: "10m",
    fastForward: false,
    catchUp: { within: "5m" },
    overlap: "replace",
  });
  assert.equal(task.command, "./backup.sh");
});

Deno.test("parseCrontab() reads fast-forward= as yes or no", () => {
  for (const yes of ["yes", "true", "1", "on", "YES"]) {
    assert.equal(only(`@hourly fast-forward=${yes} ./x`).options.fastForward, true, yes);
  }
  for (const no of ["no", "false", "0", "off", "No"]) {
    assert.equal(only(`@hourly fast-forward=${no} ./x`).options.fastForward, false, no);
  }
});

Deno.test("parseCrontab() reads seconds=last as pyncette's seconds-last order", () => {
  const task = only("* * * * * */10 seconds=last ./x");
  assert.equal(task.options.secondsField, "last");
  const timing = parseTiming(task.options);
  assert.equal(
    new Date(timing.next(Date.parse("2026-01-01T00:00:01Z"))!).toISOString(),
    "2026-01-01T00:00:10.000Z",
  );
});

Deno.test("parseCrontab() keeps an upper-case NAME=value word as the command's start", () => {
  const task = only("0 3 * * * FOO=1 BAR=x /bin/backup.sh --all");
  assert.deepEqual(task.options, { name: task.options.name, cron: "0 3 * * *" });
  assert.equal(task.command, "FOO=1 BAR=x /bin/backup.sh --all");
});

Deno.test("parseCrontab() leaves a trailing # comment in the command, for sh to ignore", () => {
  assert.equal(only("0 3 * * * ./x.sh # nightly").command, "./x.sh # nightly");
});

Deno.test("parseCrontab() derives a default name from the command's program", () => {
  assert.match(
    only("0 3 * * * /usr/local/bin/rotate-logs").options.name,
    /^rotate-logs-[0-9a-f]{6}$/,
  );
  assert.match(only("0 3 * * * FOO=1 ./backup.sh --all").options.name, /^backup\.sh-[0-9a-f]{6}$/);
});

Deno.test("parseCrontab() derives the same name from the same line, wherever it is", () => {
  const line = "0 3 * * * /usr/local/bin/rotate-logs --all";
  const name = only(line).options.name;
  assert.equal(only(line).options.name, name);
  assert.equal(parseCrontab("other.cron", `# moved down\n\n${line}\n`)[0].options.name, name);
});

Deno.test("parseCrontab() derives different names from different lines", () => {
  const names = [
    "0 3 * * * /usr/local/bin/rotate-logs",
    "0 4 * * * /usr/local/bin/rotate-logs",
    "0 3 * * * /usr/local/bin/rotate-logs --all",
  ].map((line) => only(line).options.name);
  assert.equal(new Set(names).size, names.length, names.join(" "));
});

Deno.test("parseCrontab() keeps a derived name when only options or spacing change", () => {
  const names = [
    "0 3 * * * /usr/local/bin/rotate-logs",
    "0  3 * * *   lease=5m /usr/local/bin/rotate-logs",
  ].map((line) => only(line).options.name);
  assert.equal(names[0], names[1]);
});

Deno.test("parseCrontab() splits words at spaces and tabs only, as cron does", () => {
  // JavaScript's \s would split at these too: part of a word went into the next.
  const named = only("@hourly name=a\u00a0b ./x");
  assert.equal(named.options.name, "a\u00a0b");
  assert.equal(named.command, "./x");
  const sixth = only("0 3 * * * 5\u3000x ./y");
  assert.equal(sixth.options.cron, "0 3 * * *");
  assert.equal(sixth.command, "5\u3000x ./y");
  assert.equal(only("@hourly\t./x.sh a\u2003b\u00a0").command, "./x.sh a\u2003b\u00a0");
});

Deno.test("parseCrontab() keeps a line separator inside quotes in the command", () => {
  const command = `echo 'a\u2028b' "c\u2029d" \\\u2028`;
  assert.equal(only(`@hourly ${command}`).command, command);
});

Deno.test("parseCrontab() refuses a name used twice, naming both lines", () => {
  const text = "# jobs\n\n@hourly name=a ./x\n# more\n@daily name=a ./y\n";
  assert.equal(crontabError(text), 'jobs.cron:5: task name "a" is taken by line 3 — add name=');
});

Deno.test("parseCrontab() refuses the same unnamed line twice", () => {
  assert.match(crontabError("@hourly ./x\n@hourly ./x\n"), /^jobs\.cron:2: .* taken by line 1/);
});

Deno.test("parseCrontab() prefixes every error with FILE:LINE:, counting comments and blanks", () => {
  const cases: [string, RegExp][] = [
    ["0 3 * * * foo=1 ./x", /unknown option foo= — use name= TZ= mode=/],
    ["0 3 * * * name=x", /no command after the schedule "0 3 \* \* \*"/],
    ["0 3 * * *", /no command/],
    ["@every 30s", /no command/],
    ["61 3 * * * ./x", /cron expression "61 3 \* \* \*" is malformed/],
    ["0 */5 * * * 30 ./x", /"0 \*\/5 \* \* \* 30" is malformed: .* add seconds=last/],
    ["0 3 * * ./x", /does not start with a schedule — give 5 or 6 cron fields/],
    // A no-break space looks like a space; cron splits at none, and the line says why.
    ["0\u00a03 * * * ./x", /does not start with a schedule — it holds U\+00A0, a space cron does/],
    ["\u00a0", /holds U\+00A0, a space cron does not split at; give 5 or 6 cron fields/],
    ["MAILTO=ops@example.com", /MAILTO= lines are not read .* VAR=value before the command/],
    ["@reboot ./x", /@reboot is not a schedule — use @yearly/],
    ["@every", /@every needs a duration/],
    ["@every 0s ./x", /@every "0s" is not a positive duration/],
    ["@every 25d ./x", /@every "25d" is more than 24 days/],
    ["@every 100y ./x", /"100y" is not a positive duration .* \(units ms, s, m, h, d, each once\)/],
    ["@every 1h1h ./x", /@every "1h1h" is not a positive duration .* each once/],
    ["@every 2s name= ./x", /name= is empty/],
    ["@every 2s name=a name=b ./x", /name= is given twice — keep one/],
    ["@daily TZ=UTC TZ=Europe/Berlin ./x", /TZ= is given twice/],
    ["0 3 * * * mode=exactly-once ./x", /mode=exactly-once: use at-least-once, best-effort or/],
    ["0 3 * * * failure=retry ./x", /failure=retry: use none, unlock or commit/],
    [
      "0 3 * * * lease=abc ./x",
      /lease=abc: use a duration, e.g. 30s.* \(units ms, s, m, h, d, each once\)$/,
    ],
    ["0 3 * * * retry=-1s ./x", /retry=-1s: use a duration/],
    ["0 3 * * * timeout=0s ./x", /timeout=0s: use a duration/],
    // README: timeouts, leases and waits are at most 24 days; a longer timer fires at once.
    ["0 3 * * * retry=25d ./x", /retry=25d is more than 24 days .*the longest coord waits/],
    ["0 3 * * * lease=597h ./x", /lease=597h is more than 24 days/],
    // As short as a lock's --expire may be: renewed every third, a shorter one renews in a loop.
    ["0 3 * * * lease=299ms ./x", /lease=299ms is less than 0\.3 s, the shortest lease coord/],
    ["@hourly lease=0.2s ./x", /lease=0\.2s is less than 0\.3 s/],
    ["0 3 * * * timeout=600h ./x", /timeout=600h is more than 24 days/],
    ["0 3 * * * overlap=queue ./x", /overlap=queue: use skip, allow or replace/],
    ["0 3 * * * catch-up=within=soon ./x", /catch-up=within=soon: use a duration/],
    ["0 3 * * * fast-forward=yes catch-up=all ./x", /fast-forward=yes means catch-up=latest/],
    ["0 3 * * * TZ=Mars/Olympus ./x", /unknown time zone "Mars\/Olympus"/],
    ["0 3 * * * seconds=middle ./x", /seconds=middle: use first or last/],
    ["0 3 * * * name=a/b ./x", /task name "a\/b" holds "\/"/],
    [
      "0 3 * * * mode=best-effort failure=unlock ./x",
      /: failure= applies to mode=at-least-once only: with mode=best-effort a tick is never run/,
    ],
    ["@hourly lease=5m mode=at-most-once ./x", /: lease= applies to mode=at-least-once only/],
    ["@hourly mode=best-effort retry=2s ./x", /: retry= applies to mode=at-least-once only/],
    ["@hourly mode=best-effort max-retries=0 ./x", /: max-retries= applies to/],
    ["@hourly name=a\u2028b ./x", /: U\+2028, a line separator, outside quotes: cron reads/],
    ["@hourly ./x.sh\u2029", /: U\+2029, a line separator, outside quotes/],
    ["@hourly echo 'a' \u2028 \"b\"", /: U\+2028, a line separator, outside quotes/],
    [
      "@hourly mode=best-effort overlap=skip ./x",
      /: overlap= applies to .* and runs overlap \(for one at a time: mode=at-least-once\)$/,
    ],
  ];
  for (const [line, reason] of cases) {
    const message = crontabError(`# header\n\n${line}\n@hourly ./fine.sh\n`);
    assert.ok(message.startsWith("jobs.cron:3: "), message);
    assert.match(message, reason);
  }
});

Deno.test("parseCrontab() names the file it was given in errors", () => {
  assert.throws(
    () => parseCrontab("/etc/coord/nightly.cron", "@reboot ./x"),
    /^UsageError: \/etc\/coord\/nightly\.cron:1: @reboot/,
  );
});

Deno.test({
  name: "parseCrontab() refuses a line with seven cron fields",
  fn() {
    assert.match(crontabError("* * * * * * * ./x"), /^jobs\.cron:1: /);
  },
});

Deno.test({
  name: "parseCrontab() names fast-forward= when its value is not yes or no",
  fn() {
    assert.match(crontabError("0 3 * * * fast-forward=maybe ./x"), /fast-forward=maybe/);
  },
});

Deno.test("parseCrontab() names a line's own key, not the task option it sets", () => {
  for (const option of ["mode=bogus", "failure=bogus", "retry=bogus", "catch-up=bogus"]) {
    const message = crontabError(`@hourly ${option} ./x`);
    assert.match(message, new RegExp(`^jobs\\.cron:1: ${option}: use `));
    assert.doesNotMatch(message, /executionMode|failureMode|retryDelay|catchUp/);
  }
});

Deno.test("parseCrontab() refuses a max-retries= that is not a whole number up to 2^53-1", () => {
  // Past 2^53 a count of retries no longer goes up by one.
  for (const value of ["-1", "1.5", "many", "", "99999999999999999999", "9007199254740992"]) {
    assert.throws(
      () => parseCrontab("f", `@hourly max-retries=${value} ./x\n`),
      new UsageError(`f:1: max-retries=${value}: use a whole number from 0 to 2^53-1`),
    );
  }
  assert.equal(only("@hourly max-retries=9007199254740991 ./x").options.maxRetries, 2 ** 53 - 1);
});

Deno.test("parseCrontab() reads catch-up= policies, naming catch-up= when one is unknown", () => {
  assert.equal(only("@hourly catch-up=none ./x").options.catchUp, "none");
  assert.equal(only("@hourly catch-up=latest ./x").options.catchUp, "latest");
  assert.throws(
    () => parseCrontab("f", "@hourly catch-up=some ./x\n"),
    /^UsageError: f:1: catch-up=some: use all, latest, none or within=DURATION$/,
  );
});

Deno.test("parseCrontab() takes a lease of 0.3 s, as lock run's --expire", () => {
  assert.equal(only("@hourly lease=300ms ./x").options.lease, "300ms");
});

Deno.test("parseCrontab() takes 24 days for a wait, and any window for catch-up=within", () => {
  const { options } = only("0 3 * * * retry=24d lease=24d timeout=24d catch-up=within=400d ./x");
  assert.equal(options.retryDelay, "24d");
  assert.deepEqual(options.catchUp, { within: "400d" });
});
