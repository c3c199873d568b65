/**
 * Lua scripts kept as `.lua` files beside the code that runs them, sent by `EVALSHA` and, when
 * the server does not know the script yet (`NOSCRIPT`: first use, restart, failover, another
 * cluster node), by `EVAL`, which also caches it for next time.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { Kind } from "../keys.ts";
import type { Topic } from "../types.ts";
import type { RedisConn } from "./conn.ts";
import type { RedisBackend } from "./backend.ts";

/** One Lua script, loaded from a file once per process. */
export class LuaScript {
  readonly source: string;
  readonly sha: string;

  constructor(source: string) {
    this.source = source;
    this.sha = createHash("sha1").update(source).digest("hex");
  }

  /**
   * Reads a script that sits next to a module, behind the shared `prelude.lua` (key type
   * checks and the server's clock), which Lua cannot import.
   *
   * @example
   * ```ts ignore
   * const lock = await LuaScript.load(new URL("./lock.lua", import.meta.url));
   * ```
   */
  static async load(url: URL): Promise<LuaScript> {
    const [prelude, body] = await Promise.all([
      readBeside(new URL("./prelude.lua", import.meta.url)),
      readBeside(url),
    ]);
    return new LuaScript(`${prelude}\n${body}`);
  }

  /** Runs the script; every key must share one hash tag (the first key routes it). */
  async run(conn: RedisConn, keys: string[], args: (string | number)[]): Promise<unknown> {
    const tail = [String(keys.length), ...keys, ...args.map(String)];
    try {
      return await conn.send(keys[0], ["EVALSHA", this.sha, ...tail]);
    } catch (e) {
      if (!(e instanceof Error) || !e.message.startsWith("NOSCRIPT")) throw e;
      return await conn.send(keys[0], ["EVAL", this.source, ...tail]);
    }
  }
}

/**
 * A file that ships beside the modules: on disk for a checkout, the npm package and a compiled
 * binary, but at an https: URL when the package is imported from JSR.
 */
async function readBeside(url: URL): Promise<string> {
  if (url.protocol === "file:") return await Deno.readTextFile(url);
  const response = await fetch(url);
  if (!response.ok) throw new Error(`cannot load ${url.href}: HTTP ${response.status}`);
  return await response.text();
}

/** Runs one step of a named instance of a primitive (see {@link stepRunner}). */
export type StepRunner = (
  name: string,
  step: string,
  ...args: (string | number)[]
) => Promise<unknown>;

/** Scripts by file, each loaded once per process. */
const loaded = new Map<string, Promise<LuaScript>>();

/**
 * The script in `file`, read once per process (see {@link LuaScript.load}).
 *
 * @example
 * ```ts ignore
 * const index = await loadScript(new URL("./index.lua", import.meta.url));
 * ```
 */
export function loadScript(file: URL): Promise<LuaScript> {
  let script = loaded.get(file.href);
  if (!script) loaded.set(file.href, script = LuaScript.load(file));
  return script;
}

/**
 * A primitive's steps on Redis: its script (loaded once per process), run on the keys of
 * `keyTypes` of the named instance, with `fixedArgs` before each step's own arguments.
 */
export function stepRunner(
  backend: {
    runStep(
      script: LuaScript,
      topic: Topic,
      parts: string[],
      step: string,
      args: (string | number)[],
    ): Promise<unknown>;
  },
  file: URL,
  kind: Kind,
  keyTypes: Record<string, string>,
  fixedArgs: (string | number)[] = [],
): StepRunner {
  const parts = Object.keys(keyTypes);
  return async (name, step, ...args) => {
    return await backend.runStep(await loadScript(file), { kind, name }, parts, step, [
      ...fixedArgs,
      ...args,
    ]);
  };
}

/** The base of each primitive's Redis steps: the backend and the primitive's script. */
export abstract class RedisSteps {
  /** The backend the steps run on. */
  protected readonly backend: RedisBackend;
  /** Runs one step of the primitive's script. */
  protected readonly run: StepRunner;
  readonly #kind: Kind;

  /** Steps of `kind` running `file` on the keys of `keyTypes`. */
  constructor(
    backend: RedisBackend,
    file: URL,
    kind: Kind,
    keyTypes: Record<string, string>,
    fixedArgs: (string | number)[] = [],
  ) {
    this.backend = backend;
    this.#kind = kind;
    this.run = stepRunner(backend, file, kind, keyTypes, fixedArgs);
  }

  /**
   * Runs a step that may create the instance, and adds its name to the namespace's index so
   * listings find it without SCAN. The index is touched alongside the step, not after it: a
   * name whose step then fails is pruned by the next listing, while keys without a name would
   * stay unlisted.
   */
  protected async runCreating(...[name, step, ...args]: Parameters<StepRunner>): Promise<unknown> {
    const [, reply] = await Promise.all([
      this.backend.indexName(this.#kind, name),
      this.run(name, step, ...args),
    ]);
    return reply;
  }
}
