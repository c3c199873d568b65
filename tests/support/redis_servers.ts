/**
 * Real redis-server processes for tests: a standalone server, a three-master cluster and a
 * master/replica/sentinel group, each on free loopback ports in its own temporary directory.
 *
 * Every process is killed when the isolate unloads, and a tiny `sh` watchdog per isolate kills
 * any that survive it (a test runner killed with SIGKILL cannot run `unload` handlers).
 *
 * @module
 */

import { freePort } from "./host.ts";
import { bulkStrings, infoField, redisCommandWith } from "./resp.ts";

/** A standalone redis-server; `await using` stops it as {@linkcode RedisServer.stop} does. */
export interface RedisServer extends AsyncDisposable {
  /** `redis://127.0.0.1:PORT`, with `:PASSWORD@` when a password was asked for. */
  url: string;
  port: number;
  /** The server's working directory (AOF files live here); removed by {@linkcode stop}. */
  dir: string;
  /** Stops the server and removes its directory. Safe to call twice. */
  stop(): Promise<void>;
  /**
   * Shuts the server down with SIGTERM and starts it again on the same port and directory,
   * `downMs` later (default at once: an outage of a restart's length).
   * Data survives only with `appendonly: true` (RDB snapshots are off).
   */
  restart(downMs?: number): Promise<void>;
  /** Shuts the server down with SIGTERM, until {@linkcode RedisServer.start}. */
  halt(): Promise<void>;
  /** Starts a halted server again on the same port and directory. */
  start(): Promise<void>;
  /** Process id of the current server process (changes on {@linkcode restart}). */
  pid: number;
}

/** Options of {@linkcode startStandalone}. */
export interface StandaloneOptions {
  /** Turns on the append-only file, so data survives a restart. Defaults to `false`. */
  appendonly?: boolean;
  /** Sets `requirepass`. Defaults to no password. */
  password?: string;
  /**
   * Runs in cluster mode holding every slot, as a one-shard managed cluster does: it never
   * answers MOVED, so a `redis://` URL works there, but refuses a command across slots.
   */
  oneShard?: boolean;
}

/** Three cluster masters without replicas, all slots assigned. */
export interface RedisCluster {
  /** `redis+cluster://127.0.0.1:P1,127.0.0.1:P2,127.0.0.1:P3` */
  url: string;
  ports: number[];
  /** Stops every node and removes their directories. Safe to call twice. */
  stop(): Promise<void>;
}

/** A master, one replica of it and one sentinel monitoring it as `coordmaster`. */
export interface RedisSentinelGroup {
  /** `redis+sentinel://127.0.0.1:SENTINEL_PORT/coordmaster` */
  url: string;
  masterPort: number;
  replicaPort: number;
  sentinelPort: number;
  /** Stops all three processes and removes their directory. Safe to call twice. */
  stop(): Promise<void>;
}

/** A redis-server did not come up; the message carries the tail of its log. */
export class RedisStartError extends Error {
  /** @param message what did not start, why, and the log tail */
  constructor(message: string) {
    super(message);
    this.name = "RedisStartError";
  }
}

/** Name the sentinel monitors the master under; part of every sentinel URL. */
export const SENTINEL_MASTER_NAME = "coordmaster";

const READY_TIMEOUT_MS = 20_000;
const CLUSTER_READY_TIMEOUT_MS = 30_000;
const STOP_GRACE_MS = 5_000;
const PORT_ATTEMPTS = 8;
const POLL_MS = 25;
const encoder = new TextEncoder();

/**
 * Whether `redis-server` is on `PATH`.
 *
 * @example
 * ```ts
 * Deno.test({ name: "…", ignore: !redisServerAvailable(), fn() {} });
 * ```
 */
export function redisServerAvailable(): boolean {
  for (const dir of (Deno.env.get("PATH") ?? "").split(":")) {
    if (dir === "") continue;
    try {
      const info = Deno.statSync(`${dir}/redis-server`);
      if (info.isFile && ((info.mode ?? 0o111) & 0o111) !== 0) return true;
    } catch {
      // Not in this directory.
    }
  }
  return false;
}

/**
 * Starts a standalone redis-server on a free loopback port and waits until it answers.
 *
 * @example
 * ```ts
 * const server = await startStandalone({ appendonly: true });
 * try {
 *   await server.restart();
 * } finally {
 *   await server.stop();
 * }
 * ```
 */
export async function startStandalone(
  { appendonly = false, password, oneShard = false }: StandaloneOptions = {},
): Promise<RedisServer> {
  const dir = await makeDir("coord-redis-");
  try {
    const extra = ["--appendonly", appendonly ? "yes" : "no"];
    if (password !== undefined) extra.push("--requirepass", password);
    if (oneShard) extra.push("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf");
    let node = await startOnFreePort(() => pickPort(oneShard), (port) => ({
      label: "standalone redis-server",
      dir,
      port,
      args: extra,
      password,
    }));
    if (oneShard) {
      await holdEverySlot(node).catch(async (error) => {
        await terminate(node);
        throw error;
      });
    }
    const auth = password === undefined ? "" : `:${encodeURIComponent(password)}@`;
    let stopped: Promise<void> | undefined;
    const stop = () =>
      stopped ??= (async () => {
        await terminate(node);
        await removeDir(dir);
      })();
    let halted = false;
    const halt = async () => {
      if (stopped) throw new Error(`redis-server on port ${node.spec.port} was stopped`);
      await terminate(node);
      halted = true;
    };
    const start = async () => {
      if (stopped) throw new Error(`redis-server on port ${node.spec.port} was stopped`);
      // A second server launched over a running one would leave the first running, its process
      // no longer known to stop().
      if (!halted) {
        throw new Error(`redis-server on port ${node.spec.port} is running: halt() it first`);
      }
      node = await launch(node.spec);
      halted = false;
      try {
        await waitReady(node);
      } catch (error) {
        await terminate(node);
        halted = true;
        if (!(error instanceof PortTakenError)) throw error;
        throw new RedisStartError(
          `cannot restart redis-server: port ${node.spec.port} was taken by another process ` +
            `while it was down`,
        );
      }
    };
    return {
      url: `redis://${auth}127.0.0.1:${node.spec.port}`,
      port: node.spec.port,
      dir,
      get pid() {
        return node.child.pid;
      },
      stop,
      [Symbol.asyncDispose]: stop,
      async restart(downMs = 0) {
        await halt();
        if (downMs > 0) await new Promise((resolve) => setTimeout(resolve, downMs));
        await start();
      },
      halt,
      start,
    };
  } catch (error) {
    await removeDir(dir);
    throw error;
  }
}

/** Gives a cluster-mode node every slot, and waits until it serves them. */
async function holdEverySlot(node: Node): Promise<void> {
  const port = node.spec.port;
  await redisCommandWith({ port }, "CLUSTER", "ADDSLOTSRANGE", "0", "16383");
  await pollUntil(
    CLUSTER_READY_TIMEOUT_MS,
    `node on port ${port} to serve every slot`,
    node,
    async () =>
      infoField(await redisCommandWith({ port }, "CLUSTER", "INFO"), "cluster_state") === "ok",
  );
}

/**
 * Starts three cluster-enabled redis-servers, joins them into one cluster with the slots split
 * evenly and no replicas (as `redis-cli --cluster create --cluster-replicas 0` would), and
 * waits until every node reports `cluster_state:ok` with all 16384 slots assigned.
 *
 * @example
 * ```ts
 * const cluster = await startCluster();
 * try {
 *   console.log(cluster.url); // redis+cluster://127.0.0.1:…,127.0.0.1:…,127.0.0.1:…
 * } finally {
 *   await cluster.stop();
 * }
 * ```
 */
export async function startCluster(): Promise<RedisCluster> {
  const root = await makeDir("coord-redis-cluster-");
  const nodes: Node[] = [];
  const stopAll = async () => {
    await Promise.all(nodes.map(terminate));
    await removeDir(root);
  };
  try {
    // allSettled: on a failure, stopAll must not run while sibling nodes are still starting.
    const started = await Promise.allSettled([0, 1, 2].map(async (i) => {
      const dir = `${root}/node${i}`;
      await Deno.mkdir(dir);
      nodes[i] = await startOnFreePort(() => pickPort(true), (port) => ({
        label: `cluster node ${i}`,
        dir,
        port,
        args: [
          "--appendonly",
          "no",
          "--cluster-enabled",
          "yes",
          "--cluster-config-file",
          "nodes.conf",
          "--cluster-node-timeout",
          "5000",
        ],
      }));
    }));
    const failed = started.find((result) => result.status === "rejected");
    if (failed) throw failed.reason;
    const ports = nodes.map((node) => node.spec.port);
    await joinCluster(ports);
    // A node says cluster_state:ok only once gossip has told it every slot's owner, and never
    // sooner than 2 s after it booted (a master's fixed "writable delay"); until all three do,
    // a client that asks a lagging node first would see CLUSTERDOWN.
    await Promise.all(nodes.map((node) =>
      pollUntil(
        CLUSTER_READY_TIMEOUT_MS,
        `cluster node on port ${node.spec.port} to report cluster_state:ok`,
        node,
        async () => {
          const info = await redisCommandWith({ port: node.spec.port }, "CLUSTER", "INFO");
          return infoField(info, "cluster_state") === "ok" &&
            infoField(info, "cluster_slots_assigned") === "16384" &&
            infoField(info, "cluster_known_nodes") === "3";
        },
      )
    ));
    let stopped: Promise<void> | undefined;
    return {
      url: `redis+cluster://${ports.map((port) => `127.0.0.1:${port}`).join(",")}`,
      ports,
      stop() {
        return stopped ??= stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/**
 * The steps of `redis-cli --cluster create --cluster-replicas 0`, without its polling: redis-cli
 * re-checks "has the cluster joined?" once a second, which made start-up take 2–8 s instead of
 * the 2 s floor. Distinct config epochs spare the nodes an epoch-collision round.
 */
async function joinCluster(ports: number[]): Promise<void> {
  const command = async (port: number, ...args: string[]) => {
    const reply = await redisCommandWith({ port }, ...args);
    if (!reply.startsWith("+OK")) {
      throw new RedisStartError(`${args.join(" ")} on port ${port} failed: ${reply.trim()}`);
    }
  };
  const slotsPerNode = Math.ceil(16384 / ports.length);
  await Promise.all(ports.map(async (port, i) => {
    const first = i * slotsPerNode;
    const last = Math.min(16383, first + slotsPerNode - 1);
    // ADDSLOTS with every slot listed, not ADDSLOTSRANGE: that needs Redis 7, and CI images
    // such as Ubuntu 22.04 still ship Redis 6.
    const slots = Array.from({ length: last - first + 1 }, (_, k) => String(first + k));
    await command(port, "CLUSTER", "ADDSLOTS", ...slots);
    await command(port, "CLUSTER", "SET-CONFIG-EPOCH", String(i + 1));
  }));
  // Meeting every pair directly, rather than relying on gossip to introduce the third.
  await Promise.all(
    ports.flatMap((port, i) =>
      ports.slice(i + 1).map((other) =>
        command(port, "CLUSTER", "MEET", "127.0.0.1", String(other))
      )
    ),
  );
}

/**
 * Starts a master, a replica of it and a sentinel monitoring it as `coordmaster`, and waits
 * until the sentinel names the master and the replica's link to it is up.
 *
 * @example
 * ```ts
 * const group = await startSentinel();
 * try {
 *   console.log(group.url); // redis+sentinel://127.0.0.1:…/coordmaster
 * } finally {
 *   await group.stop();
 * }
 * ```
 */
export async function startSentinel(): Promise<RedisSentinelGroup> {
  const root = await makeDir("coord-redis-sentinel-");
  const nodes: Node[] = [];
  const stopAll = async () => {
    // Sentinel first, so it never sees the master go away and starts a failover.
    await Promise.all(nodes.slice(2).map(terminate));
    await Promise.all(nodes.slice(0, 2).map(terminate));
    await removeDir(root);
  };
  try {
    for (const name of ["master", "replica", "sentinel"]) await Deno.mkdir(`${root}/${name}`);
    const master = await startOnFreePort(() => pickPort(false), (port) => ({
      label: "sentinel group master",
      dir: `${root}/master`,
      port,
      // The default 5 s wait for more replicas before a diskless sync would be most of the
      // group's start-up time.
      args: ["--appendonly", "no", "--repl-diskless-sync-delay", "0"],
    }));
    nodes.push(master);
    const masterPort = master.spec.port;
    const replica = await startOnFreePort(() => pickPort(false), (port) => ({
      label: "sentinel group replica",
      dir: `${root}/replica`,
      port,
      args: ["--appendonly", "no", "--replicaof", "127.0.0.1", String(masterPort)],
    }));
    nodes.push(replica);
    // Sentinel rewrites its config file, so it must be a private, writable file.
    const configFile = `${root}/sentinel/sentinel.conf`;
    const sentinel = await startOnFreePort(() => pickPort(false), async (port) => {
      await Deno.writeTextFile(
        configFile,
        `sentinel monitor ${SENTINEL_MASTER_NAME} 127.0.0.1 ${masterPort} 1\n`,
      );
      return {
        label: "sentinel",
        dir: `${root}/sentinel`,
        port,
        configFile,
        args: ["--sentinel"],
      };
    });
    nodes.push(sentinel);
    await Promise.all([
      pollUntil(READY_TIMEOUT_MS, "the replica's link to the master", replica, async () => {
        const info = await redisCommandWith({ port: replica.spec.port }, "INFO", "replication");
        return infoField(info, "master_link_status") === "up";
      }),
      pollUntil(READY_TIMEOUT_MS, "the sentinel to name the master", sentinel, async () => {
        const reply = await redisCommandWith(
          { port: sentinel.spec.port },
          "SENTINEL",
          "get-master-addr-by-name",
          SENTINEL_MASTER_NAME,
        );
        return bulkStrings(reply)[1] === String(masterPort);
      }),
    ]);
    let stopped: Promise<void> | undefined;
    return {
      url: `redis+sentinel://127.0.0.1:${sentinel.spec.port}/${SENTINEL_MASTER_NAME}`,
      masterPort,
      replicaPort: replica.spec.port,
      sentinelPort: sentinel.spec.port,
      stop() {
        return stopped ??= stopAll();
      },
    };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

// ---------------------------------------------------------------------------------------------

/** How to (re)start one redis-server process. */
interface NodeSpec {
  label: string;
  dir: string;
  port: number;
  args: string[];
  /** Passed first, as redis-server wants its config file. */
  configFile?: string;
  password?: string;
}

/** One running (or exited) redis-server process. */
interface Node {
  spec: NodeSpec;
  child: Deno.ChildProcess;
  status: Promise<Deno.CommandStatus>;
  exited: boolean;
}

const running = new Set<Node>();
const liveDirs = new Set<string>();
/** Ports this isolate handed out, so two concurrent starts never pick the same one. */
const pickedPorts = new Set<number>();

globalThis.addEventListener("unload", () => {
  for (const node of running) {
    try {
      node.child.kill("SIGKILL");
    } catch {
      // Exited meanwhile.
    }
  }
  for (const dir of liveDirs) {
    try {
      Deno.removeSync(dir, { recursive: true });
    } catch {
      // Best effort: the process is going away.
    }
  }
});

function logFile(spec: NodeSpec): string {
  return `${spec.dir}/redis-${spec.port}.log`;
}

async function launch(spec: NodeSpec): Promise<Node> {
  const args = [
    ...(spec.configFile ? [spec.configFile] : []),
    ...spec.args,
    "--port",
    String(spec.port),
    "--bind",
    "127.0.0.1",
    "--dir",
    spec.dir,
    "--save",
    "",
    "--daemonize",
    "no",
    "--logfile",
    logFile(spec),
  ];
  // Output goes to the log file, so there is no pipe to drain and nothing to keep the
  // isolate alive; unref() lets a test process exit while a shared server is still up.
  let child: Deno.ChildProcess;
  try {
    child = new Deno.Command("redis-server", {
      args,
      stdin: "null",
      stdout: "null",
      stderr: "null",
    }).spawn();
  } catch (error) {
    if (!(error instanceof Deno.errors.NotFound)) throw error;
    throw new RedisStartError("redis-server not found on PATH: apt-get install -y redis-server");
  }
  child.unref();
  const node: Node = { spec, child, status: child.status, exited: false };
  running.add(node);
  node.status.then(() => {
    node.exited = true;
    running.delete(node);
    void tellWatchdog(`del ${child.pid}`);
  });
  await tellWatchdog(`add ${child.pid}`);
  return node;
}

/** Started (via `launch`) but the port turned out to be taken by someone else. */
class PortTakenError extends Error {}

async function startOnFreePort(
  choosePort: () => number,
  specFor: (port: number) => NodeSpec | Promise<NodeSpec>,
): Promise<Node> {
  let lastError: Error | undefined;
  for (let attempt = 0; attempt < PORT_ATTEMPTS; attempt++) {
    const spec = await specFor(choosePort());
    const node = await launch(spec);
    try {
      await waitReady(node);
      return node;
    } catch (error) {
      await terminate(node);
      if (!(error instanceof PortTakenError)) throw error;
      lastError = error;
    }
  }
  throw new RedisStartError(
    `no free port found for redis-server after ${PORT_ATTEMPTS} attempts: ${lastError?.message}`,
  );
}

/** Waits until the server answers INFO with its own process id and has loaded its data. */
async function waitReady(node: Node): Promise<void> {
  const { port, password, label } = node.spec;
  // Checking the pid, not just PING, matters: when the port was taken between probing and
  // binding, someone else's server answers while ours is failing to start.
  await pollUntil(READY_TIMEOUT_MS, `${label} on port ${port} to answer`, node, async () => {
    const info = await redisCommandWith({ port, password, timeoutMs: 2_000 }, "INFO", "server");
    if (infoField(info, "process_id") !== String(node.child.pid)) return false;
    // INFO answers while an AOF is still loading; commands then get -LOADING.
    const persistence = await redisCommandWith(
      { port, password, timeoutMs: 2_000 },
      "INFO",
      "persistence",
    );
    return infoField(persistence, "loading") !== "1"; // a sentinel has no such field
  });
}

async function pollUntil(
  timeoutMs: number,
  what: string,
  node: Node,
  ready: () => Promise<boolean>,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let lastProblem = "";
  for (;;) {
    if (node.exited) {
      const log = await readLogTail(node.spec);
      const { code } = await node.status;
      if (/Address already in use|Could not create server TCP listening socket/.test(log)) {
        throw new PortTakenError(`port ${node.spec.port} (or its bus port) is taken`);
      }
      throw new RedisStartError(
        `${node.spec.label} exited with code ${code} while waiting for ${what}. ` +
          `Log ${logFile(node.spec)}:\n${log}`,
      );
    }
    try {
      if (await ready()) return;
      lastProblem = "not ready yet";
    } catch (error) {
      lastProblem = (error as Error).message;
    }
    if (Date.now() > deadline) {
      throw new RedisStartError(
        `timed out after ${timeoutMs} ms waiting for ${what} (${lastProblem}). ` +
          `Log ${logFile(node.spec)}:\n${await readLogTail(node.spec)}`,
      );
    }
    await delayUnlessExit(POLL_MS, node);
  }
}

function delayUnlessExit(ms: number, node: Node): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  return Promise.race([
    new Promise<void>((resolve) => timer = setTimeout(resolve, ms)),
    node.status.then(() => {}),
  ]).finally(() => clearTimeout(timer));
}

/** SIGTERM, then SIGKILL after a grace period; resolves once the process is reaped. */
async function terminate(node: Node | undefined): Promise<void> {
  if (!node || node.exited) {
    await node?.status;
    return;
  }
  signal(node, "SIGTERM");
  let timer: ReturnType<typeof setTimeout> | undefined;
  const gaveUp = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), STOP_GRACE_MS);
  });
  const outcome = await Promise.race([node.status, gaveUp]);
  clearTimeout(timer);
  if (outcome === "timeout") signal(node, "SIGKILL");
  await node.status;
}

function signal(node: Node, name: Deno.Signal): void {
  try {
    node.child.kill(name);
  } catch {
    // Exited between the check and the kill.
  }
}

async function makeDir(prefix: string): Promise<string> {
  const dir = await Deno.makeTempDir({ prefix });
  liveDirs.add(dir);
  await tellWatchdog(`dir ${dir}`);
  return dir;
}

async function removeDir(dir: string): Promise<void> {
  liveDirs.delete(dir);
  await tellWatchdog(`undir ${dir}`);
  await Deno.remove(dir, { recursive: true }).catch(() => {});
}

async function readLogTail(spec: NodeSpec): Promise<string> {
  try {
    return tail(await Deno.readTextFile(logFile(spec)));
  } catch (error) {
    return `(no log: ${(error as Error).message})`;
  }
}

function tail(text: string, lines = 20): string {
  return text.trimEnd().split("\n").slice(-lines).join("\n");
}

/**
 * A free loopback port. Cluster nodes also need port + 10000 (the cluster bus) free and below
 * 65536, which the kernel's port-0 choice does not guarantee, so those are picked at random.
 */
function pickPort(withBusPort: boolean): number {
  for (let attempt = 0; attempt < 200; attempt++) {
    let port: number;
    if (withBusPort) {
      port = 20_000 + Math.floor(Math.random() * 25_000);
      if (pickedPorts.has(port) || !canBind(port) || !canBind(port + 10_000)) continue;
    } else {
      port = freePort();
      if (pickedPorts.has(port)) continue;
    }
    pickedPorts.add(port);
    return port;
  }
  throw new RedisStartError("could not find a free loopback port after 200 probes");
}

function canBind(port: number): boolean {
  try {
    Deno.listen({ hostname: "127.0.0.1", port }).close();
    return true;
  } catch {
    return false;
  }
}

// The watchdog: one `sh` per isolate that reads "add PID" / "del PID" / "dir PATH" / "undir
// PATH" lines and, when its stdin closes (this process ended, however it ended), SIGKILLs every
// redis-server still listed and removes the listed directories. The /proc comm check keeps a
// recycled pid of some other program safe.
const WATCHDOG_SCRIPT = `
trap '' INT HUP
pids=
dirs=
nl='
'
while read -r op arg; do
  case "$op" in
    add) pids="$pids $arg" ;;
    del) kept=; for p in $pids; do [ "$p" = "$arg" ] || kept="$kept $p"; done; pids=$kept ;;
    dir) dirs="$dirs$arg$nl" ;;
    undir) dirs=$(printf '%s' "$dirs" | grep -vxF -e "$arg"; printf x); dirs=\${dirs%x} ;;
  esac
done
for p in $pids; do
  if [ ! -d /proc/self ] || [ "$(cat /proc/$p/comm 2>/dev/null)" = redis-server ]; then
    kill -9 "$p" 2>/dev/null
  fi
done
printf '%s' "$dirs" | while IFS= read -r d; do [ -n "$d" ] && rm -rf -- "$d"; done
`;

let watchdog: WritableStreamDefaultWriter<Uint8Array> | undefined;

async function tellWatchdog(line: string): Promise<void> {
  try {
    if (!watchdog) {
      const child = new Deno.Command("sh", {
        args: ["-c", WATCHDOG_SCRIPT],
        stdin: "piped",
        stdout: "null",
        stderr: "null",
      }).spawn();
      child.unref();
      watchdog = child.stdin.getWriter();
    }
    await watchdog.write(encoder.encode(`${line}\n`));
  } catch {
    // Without a watchdog the unload handler still cleans up on an orderly exit.
  }
}
