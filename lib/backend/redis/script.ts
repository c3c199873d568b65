/**
 * Lua scripts kept as `.lua` files beside the code that runs them, sent by `EVALSHA` and, when
 * the server does not know the script yet (`NOSCRIPT`: first use, restart, failover, another
 * cluster node), by `EVAL`, which also caches it for next time.
 *
 * @module
 */

import { createHash } from "node:crypto";
import type { RedisConn } from "./conn.ts";

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
      Deno.readTextFile(new URL("./prelude.lua", import.meta.url)),
      Deno.readTextFile(url),
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
