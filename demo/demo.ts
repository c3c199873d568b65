/**
 * `deno task demo`: real `coord` processes on the embedded SQLite backend, narrated.
 * Nothing to install: the database is a temporary file, removed at the end.
 *
 * @module
 */

const MAIN = new URL("../main.ts", import.meta.url).pathname;
const dir = await Deno.makeTempDir({ prefix: "coord-demo-" });
const env = { COORD_URL: `sqlite:${dir}/coord.db`, NO_COLOR: "1" };

function say(text: string): void {
  console.log(`\n▶ ${text}`);
}

function coord(args: string[]) {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", "--quiet", MAIN, ...args],
    env,
    stdout: "piped",
    stderr: "piped",
  }).spawn();
}

async function show(args: string[]): Promise<number> {
  console.log(`$ coord ${args.join(" ")}`);
  const { code, stdout, stderr } = await coord(args).output();
  const text = new TextDecoder().decode(stdout) + new TextDecoder().decode(stderr);
  if (text.trim()) console.log(text.trimEnd().replace(/^/gm, "  "));
  console.log(`  (exit ${code})`);
  return code;
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
const exists = (path: string) => Deno.stat(path).then(() => true, () => false);

try {
  say("Which backend? With no COORD_URL, coord keeps its state in one SQLite file.");
  await show(["doctor"]);

  say("Three workers reach the barrier 'ready' at different times (0 s, 0.4 s, 0.8 s).");
  const workers = [];
  for (let i = 1; i <= 3; i++) {
    console.log(`  worker ${i}: coord barrier ready 3 --delay 0.5 --json`);
    workers.push(coord(["barrier", "ready", "3", "--delay", "0.5", "--json"]).output());
    await pause(400);
    if (i < 3) await show(["barrier", "status", "ready"]);
  }
  const results = (await Promise.all(workers)).map((r) =>
    JSON.parse(new TextDecoder().decode(r.stdout))
  );
  const continued = results.map((r) => r.continued_at);
  for (const [i, r] of results.entries()) {
    console.log(
      `  worker ${i + 1}: arrived #${r.arrival}, continued at ${
        new Date(r.continued_at).toISOString()
      } (${r.late_ms.toFixed(3)} ms after the release instant)`,
    );
  }
  const spread = Math.max(...continued) - Math.min(...continued);
  console.log(`  → all three continued within ${spread.toFixed(3)} ms of each other.`);

  say("The barrier is reusable: the next arrivals form generation 2.");
  const round = await Promise.all(
    [1, 2, 3].map(() => coord(["barrier", "ready", "3", "--delay", "0.2", "--json"]).output()),
  );
  const generations = round.map((r) => JSON.parse(new TextDecoder().decode(r.stdout)).generation);
  console.log(`  generations seen: ${generations.join(", ")}`);
  await show(["barrier", "status", "ready"]);

  say("A participant that waits alone gives up after --timeout, and is not counted later.");
  await show(["barrier", "lonely", "2", "--timeout", "0.5"]);
  await show(["barrier", "status", "lonely"]);

  say("Bad input is refused with one line and exit 64.");
  await show(["barrier", "ready", "0"]);

  say("Three workers take the lock 'deploy' in turn: first come, first served.");
  const log = `${dir}/deploy.log`;
  const deploy = `echo "  token $COORD_TOKEN: deploying" >> ${log}; sleep 0.3; ` +
    `echo "  token $COORD_TOKEN: done" >> ${log}`;
  const holders = [];
  for (let i = 1; i <= 3; i++) {
    console.log(`  worker ${i}: coord lock run deploy -- sh -c '…'`);
    holders.push(coord(["lock", "run", "deploy", "--json", "--", "sh", "-c", deploy]).output());
    await pause(100);
  }
  for (const [i, r] of (await Promise.all(holders)).entries()) {
    const report = JSON.parse(new TextDecoder().decode(r.stderr).trim().split("\n").at(-1)!);
    console.log(
      `  worker ${i + 1}: token ${report.token}, waited ${Math.round(report.waited_ms)} ms, ` +
        `held ${Math.round(report.held_ms)} ms, exit ${report.exit_code}`,
    );
  }
  console.log(await Deno.readTextFile(log));
  console.log("  → never two at once; tokens increase, usable as fencing tokens.");

  say("Someone else holds it? --wait 0 gives up at once (exit 75), like flock -n.");
  // The holder holds from its command's start until told to end: on a busy machine a start
  // may take longer than any fixed pause.
  const [held, release] = [`${dir}/held`, `${dir}/release`];
  const holder = coord([
    "lock",
    "deploy",
    "--",
    "sh",
    "-c",
    `touch '${held}'; while [ ! -e '${release}' ]; do sleep 0.05; done`,
  ]);
  while (!await exists(held)) await pause(20);
  await show(["lock", "deploy", "--wait", "0", "--", "true"]);
  await Deno.writeTextFile(release, "");
  await holder.output();
} finally {
  await Deno.remove(dir, { recursive: true });
}
