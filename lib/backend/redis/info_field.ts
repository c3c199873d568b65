/**
 * Reading a field of a Redis `INFO` reply (`name:value` lines under `# Section` headings).
 *
 * @module
 */

/**
 * The value of `name` in an `INFO` reply, trimmed, or undefined when the reply has no such field.
 *
 * @example
 * ```ts
 * import { infoField } from "./info_field.ts";
 * infoField("# Server\r\nredis_version:7.0.15\r\n", "redis_version"); // "7.0.15"
 * ```
 */
export function infoField(info: string, name: string): string | undefined {
  return new RegExp(`^${name}:(.*)$`, "m").exec(info)?.[1]?.trim();
}
