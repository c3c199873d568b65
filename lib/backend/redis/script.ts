/**
 * Lua scripts kept as `.lua` files beside the code that runs them, sent by `EVALSHA` and, when
 * the server does not know the script yet (`NOSCRIPT`: first use, restart, failover, another
 * cluster node), by `EVAL`, which also caches it for next time.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { Kind } from "../keys.ts";
import type { RedisConn } from "./conn.ts";
import type { RedisBackend } from "./backend.ts";

/** Where the scripts' files are: a script is named by its path from here (`queue/finish.lua`). */
const SCRIPTS_DIR = new URL("./", import.meta.url).href;

/** One line of an expanded script: its text, and the file and line it comes from. */
interface SourceLine {
  text: string;
  /** `queue/includes/keys.lua:190`: the file named as {@link LuaScript.file} names it. */
  origin: string;
}

/**
 * Where Redis says a script's error is: `user_script:LINE`, a line of the script it was sent, at
 * the message's head (`user_script:300: attempt to …`) and after it (`… on @user_script:300.`).
 */
const SCRIPT_LINE = /\buser_script:(\d+)\b/g;

/** One Lua script, loaded from a file once per process. */
export class LuaScript {
  readonly source: string;
  readonly sha: string;
  /** What messages call it: the file it was loaded from, from the scripts' folder. */
  readonly file: string;
  /** Each line's file and line, for a script loaded from files (see {@link locate}). */
  readonly #origins: string[] | undefined;

  /** A script of `source`; `file` names it in messages, `origins` says where each line is from. */
  constructor(source: string, file = "an inline script", origins?: string[]) {
    this.source = source;
    this.sha = createHash("sha1").update(source).digest("hex");
    this.file = file;
    this.#origins = origins;
  }

  /**
   * `message` (the server's error) with each line of the script it names, `user_script:247:`,
   * told as the file and line it comes from (`queue/includes/keys.lua:190:`): the script the
   * server ran is the file with its includes expanded, whose line numbers no file has.
   */
  locate(message: string): string {
    return message.replace(SCRIPT_LINE, (whole, line: string) => {
      return this.#origins?.[Number(line) - 1] ?? whole;
    });
  }

  /**
   * Reads a script that sits next to a module, behind the shared `prelude.lua` (key type
   * checks and the server's clock), which Lua cannot import. Lua has no `require` in Redis
   * either: a line `--- @include "FILE"` (relative to the file it is in) is replaced by that
   * file, itself expanded first, so what a step uses is defined before it; a file included
   * again is left out.
   *
   * @example
   * ```ts ignore
   * const claim = await LuaScript.load(new URL("./queue/claim.lua", import.meta.url));
   * ```
   */
  static async load(url: URL): Promise<LuaScript> {
    const lines = await Promise.all([
      expand(new URL("./prelude.lua", import.meta.url), new Set()),
      expand(url, new Set()),
    ]);
    const { text, origins } = joined(lines.flat());
    return new LuaScript(text, nameOf(url), origins);
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

/** A script's name in messages: its path from the scripts' folder, else its URL. */
function nameOf(url: URL): string {
  return url.href.startsWith(SCRIPTS_DIR) ? url.href.slice(SCRIPTS_DIR.length) : url.href;
}

/** A line that stands for another file: BullMQ's include directive, a Lua comment. */
const INCLUDE = /^--- @include "([^"]+)"$/;

/**
 * `url`'s lines with its includes expanded. `seen`: the files already in the script; `within`:
 * the files whose expansion reached this one, which it cannot include back.
 */
async function expand(
  url: URL,
  seen: Set<string>,
  within: string[] = [],
): Promise<SourceLine[]> {
  seen.add(url.href);
  const chain = [...within, url.href];
  const name = nameOf(url);
  const lines: SourceLine[] = [];
  for (const [i, text] of (await readBeside(url)).split("\n").entries()) {
    const include = INCLUDE.exec(text);
    if (!include) {
      lines.push({ text, origin: `${name}:${i + 1}` });
      continue;
    }
    const included = new URL(include[1], url);
    if (chain.includes(included.href)) {
      throw new Error(`${url.href} includes ${included.href}, which includes it`);
    }
    // One already in the script leaves its line empty, as the files' line numbers stand.
    if (seen.has(included.href)) lines.push({ text: "", origin: `${name}:${i + 1}` });
    else lines.push(...await expand(included, seen, chain));
  }
  return lines;
}

/** The script's text, and where each of its lines comes from. */
function joined(lines: SourceLine[]): { text: string; origins: string[] } {
  return { text: lines.map((line) => line.text).join("\n"), origins: lines.map((l) => l.origin) };
}

/** Runs one step of a named instance of a primitive. */
export type StepRunner<Step extends string = string> = (
  name: string,
  step: Step,
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

/** Where a primitive's steps run: each step's script, and the arguments it takes first. */
export interface StepScripts<Step extends string> {
  /** The script that runs `step`. */
  file(step: Step): URL;
  /** What `step`'s script takes before the step's own arguments. */
  lead(step: Step): (string | number)[];
}

/**
 * One script for every step of a primitive, which dispatches on the step's name: the name,
 * then `fixedArgs`, come before each step's own arguments.
 *
 * @example
 * ```ts ignore
 * const scripts = sharedScript(new URL("./lock.lua", import.meta.url));
 * ```
 */
export function sharedScript(
  file: URL,
  fixedArgs: (string | number)[] = [],
): StepScripts<string> {
  return { file: () => file, lead: (step) => [step, ...fixedArgs] };
}

/**
 * One script per step, `<step>.lua` in `dir`, for each of `steps`: a script runs one step
 * only, so it takes no step name and dispatches on none.
 *
 * @example
 * ```ts ignore
 * const scripts = scriptPerStep(new URL("./queue/", import.meta.url), ["put", "claim"]);
 * ```
 */
export function scriptPerStep<Step extends string>(
  dir: URL,
  steps: readonly Step[],
): StepScripts<Step> {
  const files = new Map(steps.map((step) => [step, new URL(`${step}.lua`, dir)]));
  return { file: (step) => files.get(step)!, lead: () => [] };
}

/** The base of each primitive's Redis steps: the backend and the primitive's scripts. */
export abstract class RedisSteps<Step extends string = string> {
  /** The backend the steps run on. */
  protected readonly backend: RedisBackend;
  readonly #kind: Kind;
  readonly #parts: string[];
  readonly #scripts: StepScripts<Step>;

  /** Steps of `kind` running `scripts` on the keys of `keyTypes`. */
  constructor(
    backend: RedisBackend,
    kind: Kind,
    keyTypes: Record<string, string>,
    scripts: StepScripts<Step>,
  ) {
    this.backend = backend;
    this.#kind = kind;
    this.#parts = Object.keys(keyTypes);
    this.#scripts = scripts;
  }

  /** Runs one step of the named instance. */
  protected run: StepRunner<Step> = (name, step, ...args) => this.#run(name, step, args);

  async #run(name: string, step: Step, args: (string | number)[], index?: string[]) {
    const script = await loadScript(this.#scripts.file(step));
    return await this.backend.runStep(script, { kind: this.#kind, name }, this.#parts, [
      ...this.#scripts.lead(step),
      ...args,
    ], index);
  }

  /**
   * Runs a step that may create the instance, then adds its name to the namespace's index so
   * listings find it without SCAN. Only a step that succeeded touches the index: a refused one
   * (bad input, another program's keys at the instance's names) leaves it as it was, as it
   * leaves every key (touched alongside the step, the index took in the name of a queue coord
   * never wrote, and the tidy the touch may start adopted it). An index key another program
   * wrote is refused before the step writes anything too (a put refused after it ran was a
   * duplicate job for a caller who retried): by the step's own script where the index is on its
   * node, by a check of the index before the step on a Cluster. Either costs a round trip more
   * on a name's first touch in a process (and every 10 s after, as the touch itself). A process
   * that dies between the step and the touch leaves the name unlisted until a step touches it.
   */
  protected async runCreating(
    ...[name, step, ...args]: Parameters<StepRunner<Step>>
  ): Promise<unknown> {
    const index = this.backend.indexKeysBeside(this.#kind);
    if (!index) await this.backend.checkIndex(this.#kind, name);
    let reply;
    try {
      reply = await this.#run(name, step, args, index);
    } catch (e) {
      if (!index || !this.backend.indexBesideRefused(e)) throw e;
      await this.backend.checkIndex(this.#kind, name);
      reply = await this.#run(name, step, args);
    }
    await this.backend.indexName(this.#kind, name);
    return reply;
  }
}
