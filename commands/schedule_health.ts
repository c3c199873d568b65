/**
 * `--health-port`: the scheduler's HTTP endpoints for supervisors and Prometheus: `/health`
 * (200 while the scheduler runs and its backend answers, 503 otherwise) and `/metrics`.
 *
 * @module
 */

import { UsageError } from "../lib/errors.ts";
import type { Scheduler } from "../lib/schedule/scheduler.ts";

/** Where to listen: a port, or `HOST:PORT`; the host defaults to 127.0.0.1. */
export function parseListen(text: string): { hostname: string; port: number } {
  const match = /^(?:(.+):)?(\d+)$/.exec(text);
  const port = Number(match?.[2]);
  if (!match || !(port > 0 && port < 65536)) {
    throw new UsageError(`--health-port "${text}" is not a port — give PORT or HOST:PORT`);
  }
  return { hostname: match[1]?.replace(/^\[|\]$/g, "") ?? "127.0.0.1", port };
}

/**
 * Serves `/health` and `/metrics` for `app` until `signal` aborts.
 *
 * @returns the server; it is listening when this resolves.
 */
export function serveHealth(
  app: Scheduler,
  listen: { hostname: string; port: number },
  signal: AbortSignal,
): Deno.HttpServer {
  return Deno.serve({ ...listen, signal, onListen: () => {} }, async (request) => {
    const { pathname } = new URL(request.url);
    if (pathname === "/health") {
      const ok = await app.healthy();
      return new Response(ok ? "ok\n" : "unavailable\n", { status: ok ? 200 : 503 });
    }
    if (pathname === "/metrics") {
      return new Response(app.metrics.text(), {
        headers: { "content-type": "text/plain; version=0.0.4" },
      });
    }
    return new Response("not found: try /health or /metrics\n", { status: 404 });
  });
}
