/**
 * Names of things in the backend: validation of user-given names and namespaces, and the Redis
 * key layout `<namespace>:{<kind>:<name>}:<part>`.
 *
 * Everything one primitive instance touches shares the hash tag `{<kind>:<name>}`, so its Lua
 * scripts run unchanged on Redis Cluster. Redis takes the tag from the first `{` to the first
 * `}` after it, so a name holding braces would cut the tag short (and let two names share a
 * tag); braces and `%` are therefore percent-escaped inside the tag.
 *
 * @module
 */

import { ForeignDataError, UsageError } from "../errors.ts";
import { shownValue } from "../stored_values.ts";

/** The primitives that keep state in a backend. */
export type Kind = "barrier" | "lock" | "schedule" | "queue";

/** Longest name accepted, in characters; keys stay short enough to read in `redis-cli`. */
export const MAX_NAME_LENGTH = 512;

/** C0 and C1 control characters, DEL among them. */
// deno-lint-ignore no-control-regex
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;

/**
 * The bidi controls, which reorder the text shown around them (Trojan Source, CVE-2021-42574:
 * `coord: … "txt.exe"` reads reversed): embeddings, overrides, isolates and direction marks, as
 * the inside of a regular expression's character class.
 */
export const BIDI_CONTROLS = String.raw`\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069`;

/**
 * No control characters, but as bad in a name printed in a line: the bidi controls, and the line
 * and paragraph separators, which end a line for JavaScript (`/^…$/m`, a JS or JSON reader's).
 */
const LINE_BREAKING = new RegExp(`[${BIDI_CONTROLS}\\u2028\\u2029]`);

/** What JSON leaves raw of what a name may not hold, escaped in a refusal as JSON would. */
const RAW_IN_JSON = new RegExp(`[\\u007f-\\u009f${BIDI_CONTROLS}\\u2028\\u2029]`, "g");

/**
 * Checks a user-given name (a barrier's, a resource's, a task's, a queue's; a job id). `what`
 * says what it is, as its messages name it: `"queue name"`, `"job id"`.
 *
 * @throws {UsageError} when empty, too long, or holding NUL or another control character, a bidi
 * control or a line separator.
 */
export function checkName(what: string, name: string): string {
  // A JavaScript caller may pass anything: say what was wrong rather than throw a TypeError.
  if (typeof name !== "string") {
    throw new UsageError(
      `the ${what} must be a string, not ${JSON.stringify(name) ?? typeof name}`,
    );
  }
  if (name.length === 0) throw new UsageError(`the ${what} is empty — give one`);
  refuseControls(what, name);
  // Characters as a reader counts them (code points), not UTF-16 units: an emoji is one.
  const length = name.length <= MAX_NAME_LENGTH ? name.length : [...name].length;
  if (length > MAX_NAME_LENGTH) {
    throw new UsageError(`${what} is ${length} characters; at most ${MAX_NAME_LENGTH}`);
  }
  return name;
}

/**
 * Checks that a name holds no NUL, no other control character and no bidi control or line
 * separator, which no name coord takes may hold (see {@link checkName}), also one longer than a
 * name, as a flow's part's id may be.
 *
 * @throws {UsageError} naming the character's kind.
 * @example
 * ```ts
 * import { refuseControls } from "./keys.ts";
 * refuseControls("job id", "flow-1.0.post"); // passes
 * ```
 */
export function refuseControls(what: string, name: string): void {
  // SQLite's C API (and so its listings) cut a string at NUL: "a\0b" would be shown as "a".
  if (name.includes("\0")) {
    throw new UsageError(`${what} ${quoted(name)} holds NUL — leave it out`);
  }
  // Names are printed one a line and in columns (`put`, `list`, `status`): a newline or tab
  // in one would split or shift what scripts read.
  if (CONTROL.test(name)) {
    throw new UsageError(
      `${what} ${quoted(name)} holds a control character (a newline, a tab…) — leave it out`,
    );
  }
  const breaking = LINE_BREAKING.exec(name)?.[0];
  if (breaking !== undefined) {
    const code = breaking.charCodeAt(0).toString(16).toUpperCase().padStart(4, "0");
    throw new UsageError(
      `${what} ${quoted(name)} holds U+${code}, a bidi control or line separator that ` +
        `reorders or breaks the line it is shown in — leave it out`,
    );
  }
}

/** `name` in JSON, its DEL, C1 controls, bidi controls and line separators escaped (`\u202e`). */
function quoted(name: string): string {
  return JSON.stringify(name).replace(
    RAW_IN_JSON,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
  );
}

/**
 * Why a name a listing read from the backend is another program's: one no user could have
 * given (see {@link checkName}), so a read of it is refused as foreign data (65), not as a
 * usage error; undefined for a name coord may have written.
 *
 * @example
 * ```ts
 * import { foreignName } from "./keys.ts";
 * foreignName("resource name", "x\ny")?.exitCode; // 65
 * foreignName("resource name", "deploy"); // undefined
 * ```
 */
export function foreignName(what: string, name: string): ForeignDataError | undefined {
  try {
    checkName(what, name);
    return undefined;
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    return new ForeignDataError(
      `the backend lists ${what} ${shownValue(name)}, a name coord never writes — another ` +
        `program wrote there; remove it or use another --namespace`,
    );
  }
}

/**
 * Checks a list of names a library call was given (`["q1", "q2"]`), each with
 * {@link checkName}; a JavaScript caller passing one name as a string is told to wrap it.
 *
 * @throws {UsageError} when it is not an array, or one of its names is bad.
 */
export function checkNames(what: string, names: readonly string[]): string[] {
  if (!Array.isArray(names)) {
    throw new UsageError(
      `give a list of ${what}s (e.g. ${JSON.stringify([String(names)])}), not ${
        JSON.stringify(names) ?? typeof names
      }`,
    );
  }
  return names.map((name) => checkName(what, name));
}

/**
 * Checks a namespace: it prefixes every Redis key and is matched with SCAN patterns, so it
 * must not hold braces (hash tags) or glob characters.
 *
 * @throws {UsageError} when it does.
 */
export function checkNamespace(namespace: string): string {
  // A namespace is printed as names are (doctor, status lines): it may hold none of what they
  // may not.
  if (typeof namespace === "string" && namespace !== "") refuseControls("namespace", namespace);
  if (!/^[^\s{}*?[\]\\\0]+$/.test(namespace)) {
    throw new UsageError(
      `namespace ${
        JSON.stringify(namespace)
      } is not usable: it may not be empty or hold whitespace, braces, "*", "?", "[", "]", "\\" ` +
        `or NUL (letters, digits, "-", "_", "." and ":" are safe everywhere)`,
    );
  }
  return namespace;
}

function escapeName(name: string): string {
  return name.replace(/[%{}]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function unescapeName(escaped: string): string {
  return escaped.replace(/%(25|7B|7D)/g, (_, hex) => String.fromCharCode(parseInt(hex, 16)));
}

/**
 * The Redis key of one part of a primitive instance.
 *
 * @example
 * ```ts
 * import { redisKey } from "./keys.ts";
 * redisKey("coord", "barrier", "a{b}", "state"); // "coord:{barrier:a%7Bb%7D}:state"
 * ```
 */
export function redisKey(namespace: string, kind: Kind, name: string, part: string): string {
  return `${namespace}:{${kind}:${escapeName(name)}}:${part}`;
}

/**
 * A key of the index of every `kind` instance's name in a namespace: `names`, a sorted set of
 * the names, each scored by the backend time it was last touched, `scanned`, set once the
 * keys written before there was an index were adopted, and `tidied`, there for a while after a
 * writer tidied the index (adopted and pruned), so that few do. Listing commands read it instead of
 * SCAN, which would show a tenant every other tenant's key names. It has a tag of its own
 * (`{index:<kind>}`), so it is written beside a primitive's step, never inside its script.
 *
 * @example
 * ```ts
 * import { indexKey } from "./keys.ts";
 * indexKey("coord", "lock", "names"); // "coord:{index:lock}:names"
 * ```
 */
export function indexKey(
  namespace: string,
  kind: Kind,
  part: "names" | "scanned" | "tidied",
): string {
  return `${namespace}:{index:${kind}}:${part}`;
}

/** A Redis key taken apart by {@link parseRedisKey}. */
export interface ParsedKey {
  kind: string;
  name: string;
  part: string;
}

/**
 * Takes a key of the namespace apart; `undefined` when it is not of coord's layout.
 *
 * @example
 * ```ts
 * import { parseRedisKey } from "./keys.ts";
 * parseRedisKey("coord", "coord:{lock:db}:queue"); // { kind: "lock", name: "db", part: "queue" }
 * ```
 */
export function parseRedisKey(namespace: string, key: string): ParsedKey | undefined {
  if (!key.startsWith(`${namespace}:{`)) return undefined;
  const m = /^\{([a-z]+):([^{}]*)\}:(.+)$/.exec(key.slice(namespace.length + 1));
  return m ? { kind: m[1], name: unescapeName(m[2]), part: m[3] } : undefined;
}
