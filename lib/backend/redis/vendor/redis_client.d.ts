/**
 * Types of `redis_client.js`, the bundled `@redis/client`: the package's own, for the four
 * names the bundle exports. Its clients have `sendCommand` and the pub/sub methods, but not the
 * per-command methods (`client.get()` …), which the bundle leaves out.
 *
 * @module
 */

export { createClient, createCluster, createSentinel, ErrorReply } from "@redis/client";
