/**
 * A flow group's record as Redis keeps it where its parts are `ID.0`, `ID.1`, … (every flow
 * coord puts): it counts them (`parts`) instead of listing them (`children`), so a part's end
 * decodes and writes a few bytes, not a list of up to 9,999 ids (`parts_of` in
 * `queue/includes/job.lua`). A reader of the record gets the list back, named by number.
 *
 * @module
 */

import { ForeignDataError } from "../../errors.ts";
import { foreignJob, isObject } from "../../queue/record.ts";
import { whole } from "../../stored_values.ts";

/** A flow holds fewer jobs than this (`MAX_FLOW_NODES`), so a group fewer parts. */
const PARTS_LIMIT = 10_000;

/**
 * Job record `text` of `queue` as `jobRecord` (`../../queue/record.ts`) reads it: a counted
 * group's with its parts listed, any other as it is stored.
 *
 * @throws {ForeignDataError} when a group's count is not one coord wrote (as the scripts refuse
 *   it: `flow_fields_ok` in `queue/includes/job.lua`).
 * @example
 * ```ts
 * import { listedParts } from "./counted_group.ts";
 * const text = '{"id":"f","group":{"kind":"serial","parts":2,"done":1}}';
 * listedParts("q", text);
 * // { id: "f", group: { kind: "serial", done: 1, children: ["f.0", "f.1"] } }
 * ```
 */
export function listedParts(queue: string, text: string): string | Record<string, unknown> {
  // No other record holds the word: its texts (ids, errors) are JSON strings, quotes escaped.
  if (!text.includes('"parts":')) return text;
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    return text;
  }
  if (!isObject(record) || !isObject(record.group) || record.group.parts === undefined) {
    return text;
  }
  const { parts, ...group } = record.group;
  if (
    group.children !== undefined || !whole(parts, 1, PARTS_LIMIT - 1) ||
    !whole(group.done, 0, parts) || typeof record.id !== "string"
  ) {
    throw new ForeignDataError(foreignJob(queue, text));
  }
  const children = Array.from({ length: parts as number }, (_, i) => `${record.id}.${i}`);
  return { ...record, group: { ...group, children } };
}
