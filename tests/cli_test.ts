/** The `coord` command's contract: help, version, usage errors, backends, exit codes. */

import assert from "node:assert/strict";
import config from "../deno.json" with { type: "json" };
import { runCoord, spawnCoord } from "./support/cli.ts";
import { BACKENDS, freshNamespace } from "./support/backends.ts";
import { silentServer } from "./support/silent_server.ts";
import { tempDir, tempSqlite } from "./support/temp.ts";
import { guarded, HANG_GUARD_MS } from "./support/wait.ts";
import { sharedRedisUrl } from "./support/shared_servers.ts";
import { redisServerAvailable, startStandalone } from "./support/redis_servers.ts";

const SUBCOMMANDS = ["barrier", "lock", "turn", "schedule", "queue", "doctor", "ui"];

/** Exactly one line on stderr, as the CLI contract asks of every error. */
function oneLine(stderr: string): string {
  const lines = stderr.trim().split("\n");
  assert.equal(lines.length, 1, `one stderr line, got:\n${stderr}`);
  return lines[0];
}

Deno.test("no deno task runs coord's CLI: Deno's task runner would echo its --url, password and all", () => {
  // `deno task coord doctor --url redis://u:secret@h` printed the whole command on stderr.
  const tasks = Object.entries(config.tasks as Record<string, string>);
  const running = tasks.filter(([, command]) => /\bdeno run\b[^&|;]*\bmain\.ts\b/.test(command));
  assert.deepEqual(running, []);
});

Deno.test("a first run of the CLI fetches only its own npm packages, none of the tests' or bench's", async () => {
  // deno.json's lock holds puppeteer-core and esbuild too (tests, bench, scripts): Deno used to
  // fetch every package of the lock, ≈ 100 of them (80 MB), before it printed the help. Needs
  // the npm registry: the CLI's own (croner, pg: ≈ 2 MB) are fetched into a fresh DENO_DIR.
  await using denoDir = await tempDir("coord-deno-dir-");
  const root = new URL("..", import.meta.url).pathname;
  const r = await new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "main.ts", "--help"],
    cwd: root,
    env: { DENO_DIR: denoDir.path, NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.ok(r.success, new TextDecoder().decode(r.stderr));
  const fetched: string[] = [];
  for await (const registry of Deno.readDir(`${denoDir.path}/npm`)) {
    for await (const entry of Deno.readDir(`${denoDir.path}/npm/${registry.name}`)) {
      fetched.push(entry.name);
    }
  }
  assert.ok(fetched.includes("croner"), `fetched: ${fetched}`);
  for (const name of ["puppeteer-core", "esbuild", "@esbuild"]) {
    assert.ok(!fetched.includes(name), `${name} fetched for coord --help`);
  }
});

Deno.test("coord --help lists every subcommand with one line each", async () => {
  const { code, stdout } = await runCoord(["--help"]);
  assert.equal(code, 0);
  for (const name of SUBCOMMANDS) assert.match(stdout, new RegExp(`^  ${name} +\\S`, "m"));
});

Deno.test("coord help CMD and coord CMD --help print usage with an example", async () => {
  for (const name of SUBCOMMANDS) {
    for (const args of [["help", name], [name, "--help"], [name, "-h"]]) {
      const { code, stdout } = await runCoord(args);
      assert.equal(code, 0, args.join(" "));
      assert.match(stdout, /^Usage: coord /m);
      assert.match(stdout, /Example/);
    }
  }
});

Deno.test("every help text fits in 100 columns, as coord's other output and README do", async () => {
  // A line past it wrapped in an 100-column terminal mid-sentence (turn reset, queue status).
  for (const args of [["--help"], ...SUBCOMMANDS.map((name) => [name, "--help"])]) {
    const { stdout } = await runCoord(args);
    const long = stdout.split("\n").filter((line) => [...line].length > 100);
    assert.deepEqual(long, [], args.join(" "));
  }
});

Deno.test("lock --help names the label's default user as README does: $USER, else $LOGNAME", async () => {
  const { stdout } = await runCoord(["lock", "--help"]);
  assert.match(stdout.replaceAll(/\s+/g, " "), /user: \$USER, else \$LOGNAME, else the uid's name/);
});

Deno.test("help names the default database as README does: $XDG_STATE_HOME, else ~/.local/state", async () => {
  const said =
    /default: \$COORD_URL, else \$XDG_STATE_HOME\/coord\/coord\.db,\s+else ~\/\.local\/state\/coord\/coord\.db\)/;
  for (const args of [["--help"], ["help"], ...SUBCOMMANDS.map((name) => [name, "--help"])]) {
    const { stdout } = await runCoord(args);
    assert.match(stdout, said, args.join(" "));
  }
});

Deno.test("coord help help prints the help, as help lists itself among the commands", async () => {
  // Before: unknown command "help", exit 64.
  const r = await runCoord(["help", "help"]);
  assert.equal(r.code, 0, r.stderr);
  assert.match(r.stdout, /^ {2}help {6}show a command's usage: coord help COMMAND$/m);
});

Deno.test("coord --version prints the version from deno.json", async () => {
  const { code, stdout } = await runCoord(["--version"]);
  assert.equal(code, 0);
  assert.equal(stdout.trim(), config.version);
});

Deno.test("coord without a command prints help on stderr and exits 64", async () => {
  const { code, stderr } = await runCoord([]);
  assert.equal(code, 64);
  assert.match(stderr, /Usage: coord COMMAND/);
});

Deno.test("output that cannot be written exits 74 with one line; a usage error keeps 64", async () => {
  const main = new URL("../main.ts", import.meta.url).pathname;
  // exec: the exit status is coord's own, not a shell's.
  const run = async (redirect: string, args: string) => {
    const { code, stderr } = await new Deno.Command("sh", {
      args: ["-c", `exec deno run -A --quiet ${main} ${args} ${redirect}`],
      stdout: "null",
      stderr: "piped",
    }).output();
    return { code, stderr: new TextDecoder().decode(stderr) };
  };
  // Before: 70, "internal error: No space left on device".
  const full = await run("> /dev/full", "--help");
  assert.equal(full.code, 74, full.stderr);
  assert.match(oneLine(full.stderr), /^coord: cannot write the output: No space left on device/);
  // Before: 1, the usage error's own line failing.
  assert.equal((await run("2> /dev/full", "barrier x 0")).code, 64);
});

Deno.test("an unknown subcommand exits 64 with one line", async () => {
  const { code, stderr } = await runCoord(["bogus"]);
  assert.equal(code, 64);
  assert.match(oneLine(stderr), /unknown command "bogus".*see coord --help/);
});

Deno.test("an option before the command's name says where it goes, without its value", async () => {
  const r = await runCoord(["--url", "redis://app:hunter2@h", "lock", "x", "--", "true"]);
  assert.equal(r.code, 64);
  assert.match(
    oneLine(r.stderr),
    /options go after the command's name: coord lock --url … .*see coord lock --help/,
  );
  assert.doesNotMatch(r.stderr, /hunter2/);
});

Deno.test("an option before a command's verb says where it goes, and no verb is read as a name", async () => {
  await using db = await tempSqlite();
  for (
    const [args, verb, named] of [
      [["queue", "--url", "redis://app:hunter2@h", "status"], "status", ""],
      [["turn", "--namespace=ns", "reset"], "reset", ""],
      // Before: a wait at a barrier named "abort" (75 at its --timeout), and a task file named
      // "status" that could not be read.
      [
        ["barrier", "--url", db.url, "--timeout", "0.1", "abort", "2"],
        "abort",
        '; for a barrier named "abort": coord barrier wait abort …',
      ],
      [
        ["schedule", "--url", db.url, "status"],
        "status",
        '; for a task file named "status": coord schedule run status …',
      ],
    ] as const
  ) {
    const r = await runCoord([...args]);
    assert.equal(r.code, 64, r.stderr);
    const [command, option] = args;
    const flag = option.split("=")[0];
    assert.equal(
      oneLine(r.stderr),
      `coord: options go after the verb: coord ${command} ${verb} ${flag} … ` +
        `(not coord ${command} ${flag} … ${verb})${named} — see coord ${command} --help`,
    );
    assert.doesNotMatch(r.stderr, /hunter2/);
  }
  const barriers = await runCoord(["barrier", "list", "--url", db.url]);
  assert.equal(barriers.stderr, 'No barriers in namespace "coord".\n', "nothing stored");
  // After --, a name is a name, verb or not.
  const named = await runCoord(["barrier", "--url", db.url, "--delay", "0", "--", "list", "1"]);
  assert.equal(named.code, 0, named.stderr);
});

Deno.test("only a word where the verb goes counts as a verb after options, not an option's value", async () => {
  await using db = await tempSqlite();
  // Before: 64, the run id "list" taken for the verb, though the name after -- is a name.
  const named = await runCoord([
    "barrier",
    "--run-id",
    "list",
    "--url",
    db.url,
    "--delay",
    "0",
    "--",
    "list",
    "1",
  ]);
  assert.equal(named.code, 0, named.stderr);
  // Before: coord queue put --namespace …, the namespace taken for the verb.
  const valued = await runCoord(["queue", "--namespace", "put", "status"]);
  assert.equal(valued.code, 64);
  assert.match(
    oneLine(valued.stderr),
    /options go after the verb: coord queue status --namespace …/,
  );
  // An option the verb would know may take the next word as its value: no guess at the verb.
  const unknown = await runCoord(["queue", "--handler", "put", "status"]);
  assert.equal(unknown.code, 64);
  assert.match(oneLine(unknown.stderr), /^coord: missing one of put, .* \(options go after it\)/);
  // Before: only coord barrier wait --timeout …, where a barrier named "wait" was meant.
  const wait = await runCoord(["barrier", "--timeout", "5", "wait", "3"]);
  assert.equal(wait.code, 64);
  assert.match(oneLine(wait.stderr), /; for a barrier named "wait": coord barrier wait wait … —/);
});

Deno.test("queue status and schedule status show a name given twice once, as turn status does", async () => {
  await using db = await tempSqlite();
  // Before: a line (or a "No such …" line) for each time the name was given.
  const put = await runCoord(["queue", "put", "twice", "--handler", "h", "--url", db.url]);
  assert.equal(put.code, 0, put.stderr);
  const queues = await runCoord(["queue", "status", "twice", "twice", "--json", "--url", db.url]);
  assert.equal(queues.code, 0, queues.stderr);
  assert.equal(queues.stdout.trim().split("\n").length, 1, queues.stdout);
  const noQueue = await runCoord(["queue", "status", "nope", "nope", "--url", db.url]);
  assert.equal(noQueue.stderr, 'No such queue: "nope".\n');
  const noTask = await runCoord(["schedule", "status", "nope", "nope", "--url", db.url]);
  assert.equal(noTask.stderr, 'No such task: "nope".\n');
});

Deno.test("an unknown flag or a flag without its value exits 64 naming it", async () => {
  const unknown = await runCoord(["doctor", "--bogus"]);
  assert.equal(unknown.code, 64);
  assert.match(oneLine(unknown.stderr), /"--bogus".*see coord doctor --help/);
  const missing = await runCoord(["doctor", "--url"]);
  assert.equal(missing.code, 64);
  assert.match(oneLine(missing.stderr), /--url.*see coord doctor --help/);
});

Deno.test("an unknown option in a group of letters is named as typed, in every command", async () => {
  // parseArgs reads -odd as -o -d -d: the line named "-o", which no one typed.
  await using db = await tempSqlite();
  for (
    const [args, typed] of [
      [["lock", "run", "-odd", "--", "true"], "-odd"],
      [["lock", "run", "r", "-qz", "--", "true"], "-qz"],
      [["turn", "status", "-odd"], "-odd"],
      [["barrier", "-odd", "2"], "-odd"],
      [["queue", "list", "q", "-odd"], "-odd"],
      [["schedule", "status", "-odd"], "-odd"],
      [["doctor", "-odd"], "-odd"],
      [["ui", "-odd"], "-odd"],
    ] as const
  ) {
    const r = await runCoord([...args], { env: { COORD_URL: db.url } });
    assert.equal(r.code, 64, args.join(" "));
    assert.match(oneLine(r.stderr), new RegExp(`^coord: unknown option "${typed}"[ (]`));
  }
});

Deno.test("doctor on the default backend before any use says so, and creates nothing", async () => {
  await using temp = await tempDir("coord-test-");
  const state = temp.path;
  const { code, stdout } = await runCoord(["doctor"], { env: { XDG_STATE_HOME: state } });
  assert.equal(code, 0);
  assert.match(stdout, /backend +sqlite:.*coord\.db \(sqlite\)/);
  assert.match(stdout, /^stored +nothing yet /m);
  assert.deepEqual([...Deno.readDirSync(state)], [], "no directory, no file");
});

Deno.test("doctor on a SQLite file whose directory does not exist says so, and exits 69", async () => {
  await using temp = await tempDir("coord-test-");
  const url = `sqlite:${temp.path}/no/such/dir/x.db`;
  const { code, stdout, stderr } = await runCoord(["doctor", "--url", url]);
  // Before: "coord creates its file at the first command that writes", exit 0; the write
  // then failed (69).
  assert.equal(code, 69, stderr);
  assert.match(stdout, /^stored +nothing yet \(the first command that writes cannot create/m);
  assert.doesNotMatch(stdout, /coord creates its file/);
  assert.equal(
    stderr,
    `coord: cannot create ${url}: its directory ${temp.path}/no/such/dir does not exist — ` +
      `create it, or choose another file with --url sqlite:PATH\n`,
  );
  const json = await runCoord(["doctor", "--json", "--url", url]);
  assert.equal(json.code, 69, json.stderr);
  assert.equal(JSON.parse(json.stdout).stored, false);
  assert.deepEqual([...Deno.readDirSync(temp.path)], [], "nothing created");
  // The write it foretells.
  const write = await runCoord(["lock", "run", "r", "--url", url, "--", "true"]);
  assert.equal(write.code, 69, write.stderr);
});

for (const backend of BACKENDS) {
  Deno.test({
    name: `doctor --json reports kind, version, round trip and clock offset [${backend.label}]`,
    ignore: !backend.available,
    async fn() {
      await using target = await backend.use();
      const { code, stdout, stderr } = await runCoord(["doctor", "--json", "--url", target.url], {
        env: { COORD_CONNECT_TIMEOUT: String(HANG_GUARD_MS / 1000) }, // a busy machine is slow
      });
      assert.equal(code, 0, stderr);
      const report = JSON.parse(stdout);
      assert.equal(
        report.backend,
        {
          sqlite: "sqlite",
          postgres: "postgres",
          redis: "redis",
          cluster: "redis-cluster",
          sentinel: "redis-sentinel",
        }[backend.label],
      );
      assert.match(report.version, /^\d+\.\d+/);
      assert.equal(typeof report.rtt_ms, "number");
      assert.ok(Math.abs(report.clock_offset_ms) < 50);
      assert.equal(report.namespace, "coord");
      assert.deepEqual(report.foreign, []);
    },
  });
}

Deno.test({
  name: "doctor warns about keys in the namespace that coord did not write",
  ignore: !redisServerAvailable(),
  async fn() {
    const url = (await sharedRedisUrl("redis"))!;
    const namespace = freshNamespace();
    const port = new URL(url.replace(/^redis/, "http")).port;
    const key = `${namespace}:{lock:x}:junk`;
    const set = await new Deno.Command("redis-cli", { args: ["-p", port, "SET", key, "x"] })
      .output();
    assert.ok(set.success);
    const { code, stdout, stderr } = await runCoord(["doctor", "--url", url], {
      env: { COORD_NAMESPACE: namespace },
    });
    assert.equal(code, 0);
    assert.ok(stdout.includes(`${key}: not a key coord writes`), stdout);
    assert.match(oneLine(stderr), /warning: 1 key in namespace "[^"]+" holds data/);
  },
});

Deno.test({
  name: "doctor finds on Redis every job that coord queue show refuses as foreign, and only those",
  ignore: !redisServerAvailable(),
  async fn() {
    const url = (await sharedRedisUrl("redis"))!;
    const env = { COORD_URL: url, COORD_NAMESPACE: freshNamespace() };
    const put = await runCoord(["queue", "put", "q", "--from", "-"], {
      env,
      stdin: '{"handler": "h"}\n'.repeat(6),
    });
    assert.equal(put.code, 0, put.stderr);
    const port = new URL(url.replace(/^redis/, "http")).port;
    const key = (part: string) => `${env.COORD_NAMESPACE}:{queue:q}:${part}`;
    // Text that is no JSON in each hash a job's record is read from; job 6 is left as coord wrote it.
    const parts = ["jobs", "specs", "results", "inputs", "progress"];
    for (const [i, part] of parts.entries()) {
      const set = await new Deno.Command("redis-cli", {
        args: ["-p", port, "HSET", key(part), String(i + 1), "not json"],
      }).output();
      assert.ok(set.success);
    }
    for (let id = 1; id <= 6; id++) {
      const show = await runCoord(["queue", "show", `q/${id}`], { env });
      assert.equal(show.code, id <= parts.length ? 65 : 0, `q/${id}: ${show.stderr}`);
    }
    const doctor = await runCoord(["doctor", "--json"], { env });
    assert.equal(doctor.code, 0, doctor.stderr);
    const foreign = JSON.parse(doctor.stdout).foreign as { where: string; problem: string }[];
    assert.deepEqual(
      foreign.map((f) => [f.where, f.problem.match(/^job "(\d+)" is refused: /)?.[1]]).sort(),
      parts.map((_, i) => [key("jobs"), String(i + 1)]),
    );
    assert.match(oneLine(doctor.stderr), /warning: 1 key in namespace "[^"]+" holds data/);
  },
});

Deno.test("a bad value from a COORD_ variable names the variable; from a flag, the flag", async () => {
  await using db = await tempSqlite();
  const url = ["--url", db.url];
  const cases: [env: Record<string, string>, args: string[], said: RegExp][] = [
    [{ COORD_CONNECT_TIMEOUT: "abc" }, url, /^COORD_CONNECT_TIMEOUT takes seconds > 0 .* "abc"/],
    [{ COORD_CONNECT_TIMEOUT: "0" }, url, /^COORD_CONNECT_TIMEOUT must be more than 0, got "0"/],
    [{}, [...url, "--connect-timeout", "abc"], /^--connect-timeout takes seconds > 0 .* "abc"/],
    [{}, [...url, "--connect-timeout", "0"], /^--connect-timeout must be more than 0, got "0"/],
    [{ COORD_NAMESPACE: "a b" }, url, /^COORD_NAMESPACE: namespace "a b" is not usable/],
    [{}, [...url, "--namespace", "a b"], /^namespace "a b" is not usable/],
    [{ COORD_URL: "foo:" }, [], /^COORD_URL: unsupported backend URL "foo:"/],
    [{}, ["--url", "foo:"], /^unsupported backend URL "foo:"/],
  ];
  for (const [env, args, said] of cases) {
    const r = await runCoord(["doctor", ...args], { env });
    assert.equal(r.code, 64, r.stderr);
    assert.match(oneLine(r.stderr).replace(/^coord: /, ""), said);
  }
});

Deno.test("an unreachable Redis exits 69 within the connect timeout, with one line", async () => {
  // Refused is known at once: with an hour's --connect-timeout, waiting it out would hang here
  // (a timing of the whole process would count its start, seconds on a busy machine).
  const p = spawnCoord(["doctor", "--url", "redis://127.0.0.1:1", "--connect-timeout", "3600"]);
  const { code, stderr } = await guarded(p.result, "exit");
  assert.equal(code, 69);
  assert.match(oneLine(stderr), /cannot reach redis:\/\/127\.0\.0\.1:1: connection refused/);
});

Deno.test("a Redis that never answers fails after --connect-timeout", async () => {
  // A socket that accepts and then stays silent, like a server behind a black-holing firewall.
  await using silent = silentServer();
  let acceptedAt = Infinity; // when coord connected: its start, seconds on a busy machine, is over
  silent.accepted.then(() => acceptedAt = performance.now());
  const started = performance.now();
  const { code, stderr } = await runCoord(
    ["doctor", "--url", silent.url("redis"), "--connect-timeout", "1"],
  );
  const ended = performance.now();
  assert.equal(code, 69);
  assert.match(oneLine(stderr), /no answer within 1 s/);
  const [elapsed, sinceConnect] = [ended - started, ended - acceptedAt];
  assert.ok(elapsed >= 1000 && sinceConnect < 4000, `took ${elapsed} ms, ${sinceConnect} ms`);
});

Deno.test("a Redis Cluster whose root node never answers exits 69 after --connect-timeout", async () => {
  await using silent = silentServer();
  await using doctor = spawnCoord(
    ["doctor", "--url", silent.url("cluster"), "--connect-timeout", "1"],
  );
  // Before: it said so, then stayed for good on the connection it asked the slots over.
  const { code, stderr } = await guarded(doctor.result, "exit");
  assert.equal(code, 69, stderr);
  assert.match(
    oneLine(stderr),
    /^coord: cannot reach redis\+cluster:\/\/\S+: no answer within 1 s/,
  );
});

Deno.test("an unknown URL scheme exits 64 listing the supported ones", async () => {
  const { code, stderr } = await runCoord(["doctor", "--url", "mysql://x"]);
  assert.equal(code, 64);
  assert.match(oneLine(stderr), /unsupported backend URL "mysql:\/\/x".*sqlite:PATH.*redis:\/\//);
});

Deno.test("an unwritable SQLite path exits 69 with one clear line", async () => {
  await using temp = await tempDir("coord-test-");
  // A file where the path wants a directory.
  const file = `${temp.path}/file`;
  await Deno.writeTextFile(file, "");
  const { code, stderr } = await runCoord(["doctor", "--url", `sqlite:${file}/sub/coord.db`]);
  assert.equal(code, 69);
  assert.match(oneLine(stderr), /cannot open sqlite:.*directory exists and is writable/);
});

Deno.test("bad namespaces and connect timeouts exit 64", async () => {
  for (
    const args of [
      ["doctor", "--namespace", "a{b}", "--url", "sqlite::memory:"],
      ["doctor", "--connect-timeout", "-1", "--url", "sqlite::memory:"],
      ["doctor", "--connect-timeout", "soon", "--url", "sqlite::memory:"],
      ["doctor", "--connect-timeout", "1000000000000", "--url", "sqlite::memory:"],
    ]
  ) {
    const { code, stderr } = await runCoord(args);
    assert.equal(code, 64, args.join(" "));
    oneLine(stderr);
  }
});

Deno.test("a password never shows, in errors or in reports", async () => {
  const refused = await runCoord(["doctor", "--url", "redis://app:hunter2@127.0.0.1:1"]);
  assert.equal(refused.code, 69);
  assert.doesNotMatch(refused.stderr, /hunter2/);
  assert.match(refused.stderr, /redis:\/\/app:\*\*\*@127\.0\.0\.1:1/);
  const badScheme = await runCoord(["doctor", "--url", "mysql://app:hunter2@h"]);
  assert.doesNotMatch(badScheme.stderr, /hunter2/);
  for (const url of ["redis://u:hunt/er2@127.0.0.1:1", "redis://u:hunter2@bad host:1"]) {
    const r = await runCoord(["doctor", "--url", url]);
    assert.doesNotMatch(r.stderr, /hunt/, r.stderr);
  }
  // A username holding "@" (Azure's user@server), a mistyped scheme, a URL given where a name
  // goes: each was shown as typed, password and all.
  const misread = [
    ["doctor", "--url", "redis://ann@corp:hunter2@127.0.0.1:1"],
    ["doctor", "--url", "postgres://app@srv:hunter2@127.0.0.1:1/db"],
    ["doctor", "--url", "redis-cluster://:hunter2@h:1"],
    ["doctor", "--url", "redis:hunter2@h"],
    ["doctor", "redis://:hunter2@h:1"],
    ["barrier", "b", "2", "redis://:hunter2@h:1"],
    ["lock", "run", "r", "redis://:hunter2@h:1", "--", "true"],
  ];
  for (const args of misread) {
    const r = await runCoord(args, { env: { COORD_CONNECT_TIMEOUT: "1" } });
    assert.ok(r.code === 64 || r.code === 69, `${args}: ${r.code} ${r.stderr}`);
    assert.doesNotMatch(r.stdout + r.stderr, /hunter2/, `${args}: ${r.stderr}`);
  }
});

Deno.test("a one-letter password is not masked inside the words of an error", async () => {
  // A server that hangs up at once: node-redis says "Socket closed unexpectedly".
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const hangingUp = (async () => {
    for await (const conn of listener) conn.close();
  })();
  try {
    const url = `redis://:e@127.0.0.1:${listener.addr.port}`;
    const r = await runCoord(["doctor", "--url", url, "--connect-timeout", "5"]);
    assert.equal(r.code, 69, r.stderr);
    // Before: "Sock***t clos***d un***xp***ct***dly", which also gave the password away.
    assert.match(oneLine(r.stderr), /Socket closed unexpectedly/);
  } finally {
    listener.close();
    await hangingUp.catch(() => {});
  }
});

Deno.test({
  name: "a password-protected Redis works with the password in the URL or COORD_PASSWORD",
  ignore: !redisServerAvailable(),
  async fn() {
    const server = await startStandalone({ password: "hunter2" });
    try {
      const inUrl = await runCoord([
        "doctor",
        "--url",
        `redis://:hunter2@127.0.0.1:${server.port}`,
      ]);
      assert.equal(inUrl.code, 0, inUrl.stderr);
      assert.doesNotMatch(inUrl.stdout + inUrl.stderr, /hunter2/);
      assert.match(inUrl.stdout, /redis:\/\/:\*\*\*@127/);
      const fromEnv = await runCoord(["doctor", "--url", `redis://127.0.0.1:${server.port}`], {
        env: { COORD_PASSWORD: "hunter2" },
      });
      assert.equal(fromEnv.code, 0, fromEnv.stderr);
      const wrong = await runCoord(["doctor", "--url", `redis://:nope@127.0.0.1:${server.port}`]);
      assert.equal(wrong.code, 69);
      assert.match(oneLine(wrong.stderr), /authentication failed/);
      assert.doesNotMatch(wrong.stderr, /nope/);
    } finally {
      await server.stop();
    }
  },
});

Deno.test("COORD_URL and COORD_NAMESPACE are used when no flag is given", async () => {
  await using db = await tempSqlite();
  const { code, stdout } = await runCoord(["doctor", "--json"], {
    env: { COORD_URL: db.url, COORD_NAMESPACE: "team-a" },
  });
  assert.equal(code, 0);
  const report = JSON.parse(stdout);
  assert.equal(report.url, db.url);
  assert.equal(report.namespace, "team-a");
});

Deno.test("a COORD_ variable set empty counts as unset, each of them as COORD_URL= did", async () => {
  // COORD_NAMESPACE= exited 64 (namespace "" is not usable), COORD_CONNECT_TIMEOUT= too.
  await using db = await tempSqlite();
  const empty = { COORD_NAMESPACE: "", COORD_CONNECT_TIMEOUT: "", COORD_PASSWORD: "" };
  const named = await runCoord(["doctor", "--json"], { env: { ...empty, COORD_URL: db.url } });
  assert.equal(named.code, 0, named.stderr);
  assert.deepEqual(
    [JSON.parse(named.stdout).url, JSON.parse(named.stdout).namespace],
    [db.url, "coord"],
  );
  await using state = await tempDir("coord-test-");
  const env = { ...empty, COORD_URL: "", XDG_STATE_HOME: state.path };
  const unnamed = await runCoord(["doctor", "--json"], { env });
  assert.equal(unnamed.code, 0, unnamed.stderr);
  assert.equal(JSON.parse(unnamed.stdout).url, `sqlite:${state.path}/coord/coord.db`);
  // A flag given empty is still refused: it was typed.
  const flag = await runCoord(["doctor", "--namespace", "", "--url", db.url]);
  assert.equal(flag.code, 64, flag.stderr);
});

Deno.test("an empty --url exits 64 in every command that takes one, and creates nothing", async () => {
  // It opened the default SQLite file: a lock taken, a job put there, a worker or console started.
  await using state = await tempDir("coord-test-");
  const crontab = `${state.path}.cron`;
  await Deno.writeTextFile(crontab, "@hourly ./x.sh\n");
  try {
    const commands = [
      ["lock", "run", "r", "--url", "", "--", "true"],
      ["barrier", "b", "1", "--url="],
      ["turn", "status", "--url", ""],
      ["turn", "follow", "--url", ""],
      ["schedule", "status", "--url", ""],
      ["schedule", "run", crontab, "--url", ""],
      ["queue", "put", "q", "--url", "", "--", "true"],
      ["queue", "work", "q", "--url", ""],
      ["doctor", "--url", ""],
      ["ui", "--listen", "127.0.0.1:0", "--url", ""],
    ];
    const env = { XDG_STATE_HOME: state.path };
    const runs = commands.map((args) => spawnCoord(args, { env }));
    try {
      for (const [i, run] of runs.entries()) {
        const { code, stderr } = await guarded(run.result, commands[i].join(" "));
        assert.equal(code, 64, `${commands[i].join(" ")}: ${stderr}`);
        assert.match(oneLine(stderr), /^coord: the backend URL is empty — give one .* or none /);
      }
    } finally {
      await Promise.all(runs.map((run) => run[Symbol.asyncDispose]()));
    }
    assert.deepEqual([...Deno.readDirSync(state.path)], [], "no directory, no file");
  } finally {
    await Deno.remove(crontab);
  }
});

Deno.test("COORD_CONNECT_TIMEOUT is the connect timeout when no flag is given", async () => {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const accepted: Deno.Conn[] = [];
  const accepting = (async () => {
    for await (const conn of listener) accepted.push(conn);
  })();
  try {
    const { code, stderr } = await runCoord(
      ["doctor", "--url", `redis://127.0.0.1:${listener.addr.port}`],
      { env: { COORD_CONNECT_TIMEOUT: "0.5" } },
    );
    assert.equal(code, 69);
    assert.match(oneLine(stderr), /no answer within 0\.5 s/);
  } finally {
    listener.close();
    await accepting.catch(() => {});
    accepted.forEach((c) => c.close());
  }
});

Deno.test("a lock's default label cuts a long $USER instead of refusing it", async () => {
  await using db = await tempSqlite();
  const user = "u".repeat(600);
  const r = await runCoord(["lock", "run", "long-user", "--", "true"], {
    env: { COORD_URL: db.url, USER: user },
  });
  assert.equal(r.code, 0, r.stderr);
});
