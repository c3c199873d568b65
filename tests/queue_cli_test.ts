/** `coord queue` on bad input (SQLite): one line, exit 64 (69 unreachable), nothing stored. */

import assert from "node:assert/strict";
import { rowCount } from "./support/sqlite.ts";
import { runCoord } from "./support/cli.ts";
import { tempDir, tempSqlite } from "./support/temp.ts";

Deno.test("coord queue refuses bad input with one line and exit 64, storing nothing", async () => {
  await using db = await tempSqlite();
  const url = db.url;
  await using temp = await tempDir("coord-test-");
  const [dotFile, dotIdFile, flowFile] = ["ok.jsonl", "dot.jsonl", "flow.json"]
    .map((name) => `${temp.path}/${name}`);
  await Deno.writeTextFile(dotFile, '{"handler": "h"}\n');
  await Deno.writeTextFile(dotIdFile, '{"handler": "h", "id": ".."}\n');
  await Deno.writeTextFile(flowFile, '{"serial": [{"handler": "h"}]}');
  const scriptFile = `${temp.path}/run.sh`;
  await Deno.writeTextFile(scriptFile, "#!/bin/sh\necho hi\n");
  // "café" in Latin-1: read as UTF-8 it was stored with U+FFFD for the é, unseen.
  const [latin1Lines, latin1Flow] = [`${temp.path}/latin1.jsonl`, `${temp.path}/latin1.json`];
  const cafe = [0x63, 0x61, 0x66, 0xe9];
  const quoted = (text: string) => [...new TextEncoder().encode(text)];
  await Deno.writeFile(
    latin1Lines,
    new Uint8Array([...quoted('{"handler": "h", "args": "'), ...cafe, ...quoted('"}\n')]),
  );
  await Deno.writeFile(
    latin1Flow,
    new Uint8Array([
      ...quoted('{"serial": [{"handler": "h", "args": "'),
      ...cafe,
      ...quoted('"}]}'),
    ]),
  );
  for (
    const [args, message] of [
      [["put", "q", "--handler", "h", "--args", "{oops"], /--args is not JSON/],
      // Stored, each became null.
      [["put", "q", "--handler", "h", "--args", '{"a":1e400}'], /args hold Infinity/],
      [["put", "q", "--handler", "h", "--args", "[-1e999]"], /args hold -Infinity/],
      [["put", "q"], /either a handler .* or a command/],
      [["put", "q", "--handler", "h", "--", "echo"], /either a handler .* or a command/],
      [["put", "q", "--handler", "not-a-name"], /not a function name/],
      [["put", "q", "--handler", "h", "--retries", "x"], /--retries must be a whole number/],
      // A number with spaces around it, as no other flag takes one.
      [["put", "q", "--handler", "h", "--priority", " 5"], /--priority must be a whole number/],
      [["put", "q", "--handler", "h", "--retries", "2 "], /--retries must be a whole number/],
      [["config", "q", "--group-limit", " none"], /--group-limit must be a whole number/],
      [["put", "q", "--handler", "h", "--delay", "1", "--at", "2030-01-01T00:00:00Z"], /not both/],
      [["put", "q", "--handler", "h", "--at", "tomorrow"], /not an ISO 8601 time/],
      [["put", "q", "--handler", "h", "--at", "2027-02-30"], /not an ISO 8601 time/],
      [["put", "q", "--handler", "h", "--at", "+275760-09-13"], /not an ISO 8601 time/],
      [["put", "q", "--handler", "h", "--at", "2999-01-01T00:00:00Z"], /more than 10 years/],
      [["put", "q", "--handler", "h", "--delay", "soon"], /--delay takes seconds/],
      [["put", "a/b", "--handler", "h"], /holds "\/"/],
      [["put"], /put takes one QUEUE/],
      [["wait", "no-slash"], /is not a job — give QUEUE\/ID/],
      [["show", "q/404"], /no job q\/404/],
      [["cancel", "q/404"], /no job q\/404/],
      [["work"], /at least one QUEUE/],
      [["work", "q", "--module", "/nonexistent/h.ts"], /cannot load handler module/],
      [["work", "q", "--concurrency", "0"], /--concurrency must be a whole number/],
      [["frobnicate"], /unknown "frobnicate"/],
      [
        ["put", "q", "--handler", "h", "--timeout", "10000000000"],
        /--timeout must be at most 24 days/,
      ],
      [
        ["put", "q", "--handler", "h", "--delay", "1000000000000"],
        /--delay must be at most 3650 days/,
      ],
      [["put", "q", "--handler", "h", "--begin-by", "1000000000000"], /--begin-by must be/],
      [["put", "q", "--handler", "h", "--backoff", "1000000000000"], /--backoff must be/],
      [["put", "q", "--handler", "h", "--retries", "100000"], /--retries must be .* to 1000/],
      [["work", "q", "--lease", "0.1"], /--lease must be at least 0\.3 s/],
      [["work", "q", "--grace", "10000000000"], /--grace must be/],
      [["work", "q", "--concurrency", "100000"], /--concurrency must be .* to 10000/],
      // Taken and ignored: only a command job's process is given the variables.
      [["work", "q", "--drain", "--pass-env", "COORD_URL"], /--pass-env is for command jobs/],
      [["put", "q", "--from", "/"], /cannot read \/: it is a directory — see/],
      [["put", "q", "--handler", "h", "--id", ""], /coord: the job id is empty — give one/],
      [["put", "q", "--handler", "h", "--dedupe", ""], /coord: the dedupe key is empty/],
      [["flow", "q", "/"], /cannot read \/: it is a directory — see/],
      [["put", "q", "--from", latin1Lines], /cannot read .*latin1\.jsonl: it is not UTF-8 text/],
      [["flow", "q", latin1Flow], /cannot read .*latin1\.json: it is not UTF-8 text/],
      // 0 expired every job the instant it could start.
      [["put", "q", "--handler", "h", "--begin-by", "0"], /--begin-by must be more than 0/],
      [["put", "q", "--handler", "h", "--begin-by", "-1"], /--begin-by takes seconds > 0/],
      // The console's links cannot reach a job or queue named as a dot-segment.
      [["put", "q", "--handler", "h", "--id", ".."], /job id "\.\." is a path's dot-segment/],
      [["put", "q", "--handler", "h", "--id", "."], /job id "\." is a path's dot-segment/],
      [["put", "..", "--handler", "h"], /queue name "\.\." is a path's dot-segment/],
      [["put", ".", "--handler", "h"], /queue name "\." is a path's dot-segment/],
      [["put", "..", "--from", dotFile], /queue name "\.\." is a path's dot-segment/],
      [["put", "q", "--from", dotIdFile], /:1: job id "\.\." is a path's dot-segment/],
      [["flow", "q", flowFile, "--id", ".."], /job id "\.\." is a path's dot-segment/],
      // The parser quotes the file, its newlines with it: once two lines.
      [["flow", "q", scriptFile], /run\.sh is not JSON: .*#!\/bin\/sh echo/],
      [["flow", "..", flowFile], /queue name "\.\." is a path's dot-segment/],
    ] as const
  ) {
    const r = await runCoord(["queue", ...args, "--url", url]);
    assert.equal(r.code, 64, `${args.join(" ")}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
  assert.equal(await rowCount(url, "coord_queue_job"), 0);
  const bare = await runCoord(["queue"]);
  assert.equal(bare.code, 64);
  assert.match(bare.stderr, /missing one of put, flow, work/);
});

Deno.test("coord queue flow refuses a malformed flow with one line and exit 64", async () => {
  await using db = await tempSqlite();
  const { url } = db;
  await using temp = await tempDir("coord-test-");
  const dir = temp.path;
  const deep = '{"serial":['.repeat(20_000) + '{"handler":"h"}' + "]}".repeat(20_000);
  for (
    const [flow, message] of [
      [
        '{"parallel": [{"command": [1, 2]}]}',
        /flow\.parallel\[0\]: a command is a list of strings/,
      ],
      ['{"command": [1, 2]}', /a command is a list of strings/],
      ['{"parallel": [{"handler": ["h"]}]}', /handler \["h"\] is not a function name/],
      ['{"parallel": [{"handler": "h", "backoff": "1"}]}', /backoff: a number of seconds/],
      // A flow file's field, in its unit.
      ['{"parallel": [{"handler": "h", "timeout": 1e10}]}', /timeout must be a number of seconds/],
      ['{"parallel": [{"handler": "h"}], "continueOnFailure": "yes"}', /true or false/],
      [
        '{"parallel": [{"handler": "h"}], "postprocess": 5}',
        /postprocess: a flow node is an object/,
      ],
      [deep, /groups nest at most 32 deep/],
    ] as const
  ) {
    await Deno.writeTextFile(`${dir}/flow.json`, flow);
    const r = await runCoord(["queue", "flow", "q", `${dir}/flow.json`, "--url", url]);
    assert.equal(r.code, 64, `${flow.slice(0, 80)}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
  }
  assert.equal(await rowCount(url, "coord_queue_job"), 0);
});

Deno.test("coord queue exits 69 when the backend is unreachable", async () => {
  const r = await runCoord(["queue", "put", "q", "--handler", "h", "--url", "redis://127.0.0.1:1"]);
  assert.equal(r.code, 69, r.stderr);
  assert.match(r.stderr, /cannot reach redis:\/\/127\.0\.0\.1:1/);
});

Deno.test("coord queue flow puts a flow; wait prints its result", async () => {
  await using db = await tempSqlite();
  const url = db.url;
  await using temp = await tempDir("coord-test-");
  const dir = temp.path;
  await Deno.writeTextFile(
    `${dir}/flow.json`,
    JSON.stringify({
      parallel: [{ command: ["echo", "one"] }, { command: ["echo", "two"] }],
      postprocess: { command: ["sh", "-c", 'printf "%s" "$COORD_RESULTS"'] },
    }),
  );
  await Deno.writeTextFile(`${dir}/bad.json`, '{"parallel": [{"handler": "a", "colour": 1}]}');
  const bad = await runCoord(["queue", "flow", "q", `${dir}/bad.json`, "--url", url]);
  assert.equal(bad.code, 64);
  assert.match(bad.stderr, /flow\.parallel\[0\]: a job takes no "colour" \(it takes handler, /);
  const missing = await runCoord(["queue", "flow", "q", `${dir}/missing.json`, "--url", url]);
  assert.equal(missing.code, 64);
  assert.match(missing.stderr, /cannot read .*missing\.json: no such file/);
  assert.equal(await rowCount(url, "coord_queue_job"), 0);
  const put = await runCoord([
    "queue",
    "flow",
    "q",
    `${dir}/flow.json`,
    "--id",
    "f1",
    "--url",
    url,
  ]);
  assert.equal(put.code, 0, put.stderr);
  assert.equal(put.stdout.trim(), "q/f1");
  const work = await runCoord(["queue", "work", "q", "--allow-commands", "--drain", "--url", url]);
  assert.equal(work.code, 0, work.stderr);
  const wait = await runCoord(["queue", "wait", "q/f1", "--url", url]);
  assert.equal(wait.code, 0, wait.stderr);
  const { stdout } = JSON.parse(wait.stdout);
  assert.deepEqual(JSON.parse(stdout), [
    { exitCode: 0, stdout: "one\n" },
    { exitCode: 0, stdout: "two\n" },
  ]);
});

Deno.test("every bad --timeout of a put gets the same words: the floor, the value, the help", async () => {
  // 0 got the library's own words ("a number of seconds from 0.001 to …, got 0"), others ≥ 0.
  await using db = await tempSqlite();
  for (const text of ["0", "0.0005", "-1", "abc"]) {
    const r = await runCoord([
      "queue",
      "put",
      "q",
      "--handler",
      "h",
      "--timeout",
      text,
      "--url",
      db.url,
    ]);
    assert.equal(r.code, 64, r.stderr);
    assert.match(
      r.stderr,
      new RegExp(
        `^coord: --timeout (must be at least 0\\.001 s|takes seconds ≥ 0\\.001 \\(30, 0\\.5\\) ` +
          `or a duration \\(30s, 2m, 1h30m, 500ms, 7d: units ms, s, m, h, d, each unit ` +
          `once\\)), got "${text}" — see ` +
          `coord queue --help\n$`,
      ),
    );
  }
});

Deno.test("lock run warns, before it takes the lock, of a --url after -- (the command's)", async () => {
  await using state = await tempDir("coord-test-");
  const env = { XDG_STATE_HOME: state.path };
  const stray = await runCoord([
    "lock",
    "run",
    "r",
    "--",
    "sh",
    "-c",
    "echo ran >&2",
    "--url",
    "redis://h",
  ], {
    env,
  });
  assert.equal(stray.code, 0, stray.stderr);
  assert.equal(
    stray.stderr,
    "coord: --url after -- is the command's, not lock run's: the lock is taken on the default " +
      "backend — give lock run's flags before --\nran\n",
  );
});

Deno.test("put warns when a backend flag after -- went to the command, not to put", async () => {
  await using state = await tempDir("coord-test-");
  const env = { XDG_STATE_HOME: state.path };
  const stray = await runCoord(["queue", "put", "q", "--", "./job.sh", "--url", "redis://h"], {
    env,
  });
  assert.equal(stray.code, 0, stray.stderr);
  assert.equal(stray.stdout.trim(), "q/1");
  assert.equal(
    stray.stderr.trim(),
    "coord: --url after -- is the command's, not put's: the job went to the default backend " +
      "— give put's flags before --",
  );
  assert.equal(await rowCount(`sqlite:${state.path}/coord/coord.db`, "coord_queue_job"), 1);
  const joined = await runCoord(["queue", "put", "q", "--", "./job.sh", "--url=sqlite:x.db"], {
    env,
  });
  assert.match(joined.stderr, /^coord: --url after -- is the command's/);
  // Meant for the command: put was given its own, the command is coord itself, or the flag is
  // another program's (curl's --url, kubectl's --namespace).
  for (
    const args of [
      ["--url", `sqlite:${state.path}/other.db`, "--", "./job.sh", "--url", "redis://h"],
      ["--", "coord", "lock", "run", "r", "--url", "redis://h", "--", "true"],
      ["--", "curl", "--url", "https://example.com"],
      ["--", "kubectl", "--namespace", "prod", "rollout", "restart", "deploy/web"],
    ]
  ) {
    const meant = await runCoord(["queue", "put", "q", ...args], { env });
    assert.equal(meant.code, 0, meant.stderr);
    assert.equal(meant.stderr, "");
  }
});

Deno.test("stored text is printed with its control characters escaped: list, show, the worker's log", async () => {
  await using db = await tempSqlite();
  const url = ["--url", db.url];
  // A command's argument and its error as another user could make them: an escape that
  // clears the screen of whoever lists the queue, a newline that splits a line in two.
  const put = await runCoord([
    "queue",
    "put",
    "esc",
    ...url,
    "--",
    "sh",
    "-c",
    `printf 'boom\\033[2J\\nsecond' >&2; exit 1`,
  ]);
  assert.equal(put.code, 0, put.stderr);
  const work = await runCoord(["queue", "work", "esc", "--allow-commands", "--drain", ...url]);
  assert.equal(work.code, 0, work.stderr);
  const list = await runCoord(["queue", "list", "esc", ...url]);
  const show = await runCoord(["queue", "show", "esc/1", ...url]);
  const wait = await runCoord(["queue", "wait", "esc/1", ...url]);
  assert.equal(wait.code, 1, wait.stderr);
  for (
    const [what, text] of [
      ["work", work.stderr],
      ["list", list.stdout],
      ["show", show.stdout],
      ["wait", wait.stderr],
    ]
  ) {
    // Before: the ESC itself, raw.
    assert.ok(!text.includes("\x1b"), `${what}: ${text}`);
    assert.match(text, /boom\\x1b\[2J/, `${what}: ${text}`);
  }
  // The error's own newline does not start a line of list's table, nor of wait's error.
  assert.doesNotMatch(list.stdout, /^second/m);
  assert.match(wait.stderr, /^coord: esc\/1 failed: .*boom\\x1b\[2J(\\x0a| )second$/m);
  assert.equal(wait.stderr.trim().split("\n").length, 1, wait.stderr);
});

Deno.test("stored text that spells an escape, or reorders a line, reads apart from an escaped control character", async () => {
  await using db = await tempSqlite();
  const url = ["--url", db.url];
  // A backslash then x1b, as text: shown as it was, it reads as an escaped ESC. And a
  // right-to-left override, which would show what follows it backwards.
  const put = await runCoord([
    "queue",
    "put",
    "spell",
    ...url,
    "--",
    "sh",
    "-c",
    `printf 'boom%s \\342\\200\\256txt.exe' '\\x1b' >&2; exit 1`,
  ]);
  assert.equal(put.code, 0, put.stderr);
  const work = await runCoord(["queue", "work", "spell", "--allow-commands", "--drain", ...url]);
  assert.equal(work.code, 0, work.stderr);
  const list = await runCoord(["queue", "list", "spell", ...url]);
  const show = await runCoord(["queue", "show", "spell/1", ...url]);
  for (
    const [what, text] of [["work", work.stderr], ["list", list.stdout], ["show", show.stdout]]
  ) {
    assert.ok(!text.includes("\u202e"), `${what}: ${text}`);
    assert.match(text, /boom\\\\x1b \\u\{202e\}txt\.exe/, `${what}: ${text}`);
  }
  // The command, shown as JSON, is JSON still: its backslashes escaped once.
  const command = show.stdout.split("\n").find((line) => line.startsWith("command"));
  assert.deepEqual(JSON.parse(command!.slice(12)), [
    "sh",
    "-c",
    `printf 'boom%s \\342\\200\\256txt.exe' '\\x1b' >&2; exit 1`,
  ]);
});

Deno.test("put takes a QUEUE starting with - between two --, as lock run takes such a RES", async () => {
  await using db = await tempSqlite();
  const env = { COORD_URL: db.url };
  // Every other verb reaches such a queue after --; put could not: after -- is its command.
  const command = await runCoord(["queue", "put", "--", "-q", "--", "echo", "hi"], { env });
  assert.equal(command.code, 0, command.stderr);
  assert.equal(command.stdout, "-q/1\n");
  const handler = await runCoord(["queue", "put", "--handler", "h", "--", "-q", "--"], { env });
  assert.equal(handler.code, 0, handler.stderr);
  assert.equal(handler.stdout, "-q/2\n");
  const shown = await runCoord(["queue", "show", "--json", "--", "-q/1"], { env });
  assert.equal(shown.code, 0, shown.stderr);
  assert.deepEqual(JSON.parse(shown.stdout).command, ["echo", "hi"]);
  // Written where QUEUE goes, or after one -- alone, it exits 64 with one line showing the way.
  for (
    const args of [
      ["queue", "put", "-q", "--handler", "h"],
      ["queue", "put", "--handler", "h", "--", "-q"],
    ]
  ) {
    const r = await runCoord(args, { env });
    assert.equal(r.code, 64, args.join(" "));
    assert.equal(r.stderr.trim().split("\n").length, 1, r.stderr);
    assert.ok(r.stderr.includes("--: coord queue put [options] -- -q -- [CMD…])"), r.stderr);
  }
});

Deno.test("purge --older-than and put --dedupe-for take every spelling of a duration, 0 alike", async () => {
  // Seconds went one way and units another: --older-than 0 was taken, 0s and 0ms refused as
  // "not a positive duration", and their other refusals had words of their own.
  await using db = await tempSqlite();
  const env = { COORD_URL: db.url };
  for (const text of ["0", "0.0", "0s", "0ms", "90", "90.5", "10m", "1h30m"]) {
    const put = await runCoord(
      ["queue", "put", "q", "--handler", "h", "--dedupe", `k-${text}`, "--dedupe-for", text],
      { env },
    );
    assert.equal(put.code, 0, `--dedupe-for ${text}: ${put.stderr}`);
    const cancel = await runCoord(["queue", "cancel", put.stdout.trim()], { env });
    assert.equal(cancel.code, 0, cancel.stderr);
    const purge = await runCoord(
      ["queue", "purge", "q", "--state", "cancelled", "--older-than", text],
      { env },
    );
    assert.equal(purge.code, 0, `--older-than ${text}: ${purge.stderr}`);
    // Only 0 is old enough for a job cancelled a moment ago (the others are 90 s or more: a
    // busy machine may take seconds between the cancel and the purge).
    assert.equal(
      purge.stdout,
      /^0(\.0|s|ms)?$/.test(text) ? "removed 1 cancelled job\n" : "removed 0 cancelled jobs\n",
    );
  }
  for (
    const [flag, args] of [["older-than", ["purge", "q", "--state", "failed"]], ["dedupe-for", [
      "put",
      "q",
      "--handler",
      "h",
      "--dedupe",
      "k",
    ]]]
  ) {
    for (const text of ["soon", "1h1h", "-1", "11y"]) {
      const r = await runCoord(["queue", ...args, `--${flag}`, text], { env });
      assert.equal(r.code, 64, r.stderr);
      assert.match(
        r.stderr,
        new RegExp(
          `^coord: --${flag} (takes seconds ≥ 0 \\(30, 0\\.5\\) or a duration|must be at most 3650 days).*got "${text}" — see coord queue --help\\n$`,
        ),
      );
    }
  }
});
