/**
 * A free loopback TCP port.
 *
 * @module
 */

/**
 * A port nobody listens on at this instant. Another process may take it before the caller
 * does, so a caller that binds later must be ready to retry with a fresh port.
 *
 * @example
 * ```ts
 * import { freePort } from "./free_port.ts";
 * const port = freePort();
 * ```
 */
export function freePort(): number {
  const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
  const { port } = listener.addr as Deno.NetAddr;
  listener.close();
  return port;
}
