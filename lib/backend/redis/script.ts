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

/**
 * Where Lua's compiler says a function begins: `function at line 82 has more than 200 local
 * variables`, `'end' expected (to close 'function' at line 82)`.
 */
const FUNCTION_LINE = /\bat line (\d+)\b/g;

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
   * `message` (the server's error) with each line of the script it names, `user_script:247:`
   * (or `at line 82`, where the compiler names a function's first), told as the file and line
   * it comes from (`queue/includes/keys.lua:190:`): the script the server ran is the file with
   * its includes expanded, whose line numbers no file has.
   */
  locate(message: string): string {
    return message
      .replace(SCRIPT_LINE, (whole, line: string) => this.#origins?.[Number(line) - 1] ?? whole)
      .replace(FUNCTION_LINE, (whole, line: string) => {
        const origin = this.#origins?.[Number(line) - 1];
        return origin ? `at ${origin}` : whole;
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
    const [prelude, body] = await Promise.all([
      expand(new URL("./prelude.lua", import.meta.url), new Set()),
      expand(url, new Set()),
    ]);
    const { text, origins } = joined([...prelude, ...asStep(body, nameOf(url))]);
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

/**
 * A script's own lines as the function `step`, whose reply goes through the prelude's `indexed`:
 * a step that may create its instance indexes its name in its own call, at the end of whichever
 * way it ended well, and only then (a script has many `return`s, and Redis undoes nothing a
 * script wrote before it failed, so the prelude cannot index the name before the step). The
 * lines of the function's own are told as `file`'s, whose text it is: an error there reads
 * `function at queue/put.lua has more than 200 local variables`.
 */
function asStep(body: SourceLine[], file: string): SourceLine[] {
  return [
    { text: "local function step()", origin: file },
    ...body,
    { text: "end", origin: file },
    { text: "return indexed(step())", origin: file },
  ];
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
  protected run: StepRunner<Step> = async (name, step, ...args) => {
    const { script, topic, lead } = await this.#prepared(name, step);
    return await this.backend.runStep(script, topic, this.#parts, [...lead, ...args]);
  };

  /**
   * Runs a step that may create the instance, which adds its name to the namespace's index so
   * listings find it without SCAN, once it succeeded ({@link RedisBackend.runCreatingStep}).
   */
  protected async runCreating(
    ...[name, step, ...args]: Parameters<StepRunner<Step>>
  ): Promise<unknown> {
    const { script, topic, lead } = await this.#prepared(name, step);
    return await this.backend.runCreatingStep(script, topic, this.#parts, [...lead, ...args]);
  }

  /** What a step of the named instance runs: its script, and the arguments it takes first. */
  async #prepared(name: string, step: Step) {
    return {
      script: await loadScript(this.#scripts.file(step)),
      topic: { kind: this.#kind, name },
      lead: this.#scripts.lead(step),
    };
  }
}
