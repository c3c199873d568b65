/**
 * The console's HTTP handler: pages, their live updates over server-sent events, actions as
 * POSTs, `/metrics` and `/health`, all under the base path. Every page is rendered from the
 * same library calls the CLI makes; this file only routes and guards.
 *
 * @module
 */

import {
  BackendRefusedError,
  BackendUnavailableError,
  CoordError,
  ForeignDataError,
  oneLine,
  UsageError,
} from "../../lib/errors.ts";
import { authorized, challenge, type Credentials } from "./auth.ts";
import {
  NoJobIdError,
  type Page,
  type UiContext,
  UnknownLockError,
  UnknownQueueError,
  type View,
} from "./context.ts";
import { sameSecret } from "./csrf.ts";
import { crossSiteRefusal, hostAnswered } from "./origin.ts";
import type { Pulse } from "./changes.ts";
import { CLIENT, OUTSIDE_BASE } from "./client.ts";
import { type Html, html } from "./html.ts";
import { consoleOf, type Frame, layout, livePart } from "./layout.ts";
import { type HistogramSource, metricsText } from "./metrics.ts";
import { sseResponse } from "./sse.ts";
import { STYLE } from "./style.ts";
import { overviewPage } from "./pages/overview.ts";
import {
  pauseAction,
  removeAction,
  resumeAction,
  schedulesPage,
  triggerAction,
} from "./pages/schedules.ts";
import { locksPage, resetAction } from "./pages/locks.ts";
import { abortAction, barriersPage } from "./pages/barriers.ts";
import {
  cancelAction,
  jobPage,
  pauseAction as pauseQueueAction,
  promoteAction,
  purgeAction,
  queuePage,
  removeQueueAction,
  retryAction,
} from "./pages/queue.ts";
import { UnknownJobError } from "../../lib/queue/queue.ts";
import { UnknownTaskError } from "../../lib/schedule/control.ts";

/** Between two renders of one live page, so a busy queue does not cost a render per event. */
const MIN_RENDER_GAP_MS = 200;

/** What a path names: a page and its parameters. */
interface Route {
  page: Page;
  params: string[];
}

/**
 * An action: what it does with its parameters and form, and where to go after (`back`). It
 * returns the notice to show there, or the notice and another page to show it on.
 */
interface Action {
  run(ctx: UiContext, params: string[], form: FormData): Promise<string | Done>;
  back(params: string[]): string[];
}

/** An action's notice, shown on `goTo`'s page rather than on `back`'s. */
interface Done {
  notice: string;
  goTo: string[];
}

/** GET paths: a fixed shape each, names percent-encoded as one segment. */
function route(segments: string[]): Route | undefined {
  const [first, ...rest] = segments;
  if (segments.length === 0) return { page: overviewPage, params: [] };
  if (first === "schedules" && rest.length === 0) return { page: schedulesPage, params: [] };
  if (first === "locks" && rest.length === 0) return { page: locksPage, params: [] };
  if (first === "barriers" && rest.length === 0) return { page: barriersPage, params: [] };
  if (first === "queues" && rest.length === 1) return { page: queuePage, params: rest };
  if (first === "queues" && rest.length === 3 && rest[1] === "jobs") {
    return { page: jobPage, params: [rest[0], rest[2]] };
  }
  return undefined;
}

/** POST paths. */
function action(segments: string[]): { action: Action; params: string[] } | undefined {
  const [first, ...rest] = segments;
  const jobVerb = first === "queues" && rest.length === 4 && rest[1] === "jobs" &&
    JOB_ACTIONS.get(rest[3]);
  if (jobVerb) return { action: jobVerb, params: [rest[0], rest[2]] };
  const queueVerb = first === "queues" && rest.length === 2 && QUEUE_ACTIONS.get(rest[1]);
  if (queueVerb) return { action: queueVerb, params: [rest[0]] };
  if (first === "locks" && rest.length === 2 && rest[1] === "reset") {
    return { action: RESET, params: [rest[0]] };
  }
  if (first === "barriers" && rest.length === 2 && rest[1] === "abort") {
    return { action: ABORT, params: [rest[0]] };
  }
  if (first === "schedules" && rest.length === 1 && rest[0] === "trigger") {
    return { action: TRIGGER, params: [] };
  }
  const verb = first === "schedules" && rest.length === 2 && TASK_ACTIONS.get(rest[1]);
  if (verb) return { action: verb, params: [rest[0]] };
  return undefined;
}

/** An action on a job, `/queues/QUEUE/jobs/ID/VERB`: back to the job's page. */
function jobAction(act: (ctx: UiContext, queue: string, id: string) => Promise<string>): Action {
  return {
    run: (ctx, [queue, id]) => act(ctx, queue, id),
    back: ([queue, id]) => ["queues", queue, "jobs", id],
  };
}
const JOB_ACTIONS = new Map<string, Action>([
  ["cancel", jobAction(cancelAction)],
  ["retry", jobAction(retryAction)],
  ["promote", jobAction(promoteAction)],
]);
/** `/queues/QUEUE/VERB`. */
const QUEUE_ACTIONS = new Map<string, Action>([
  ["pause", {
    run: (ctx, [queue]) => pauseQueueAction(ctx, queue, true),
    back: (p) => ["queues", p[0]],
  }],
  ["resume", {
    run: (ctx, [queue]) => pauseQueueAction(ctx, queue, false),
    back: (p) => ["queues", p[0]],
  }],
  ["purge", {
    run: async (ctx, [queue], form) => {
      const { notice, gone } = await purgeAction(ctx, queue, form);
      return gone ? { notice, goTo: [] } : notice;
    },
    back: (p) => ["queues", p[0]],
  }],
  ["remove", {
    run: async (ctx, [queue], form) => {
      const { removed, notice } = await removeQueueAction(ctx, queue, form);
      // To the overview once removed: the queue's page is gone. A refusal stays on it, to
      // show why beside the jobs that caused it.
      return removed ? { notice, goTo: [] } : notice;
    },
    back: (p) => ["queues", p[0]],
  }],
]);
const RESET: Action = {
  run: (ctx, [resource], form) => resetAction(ctx, resource, form),
  back: () => ["locks"],
};
const ABORT: Action = {
  run: (ctx, [name]) => abortAction(ctx, name),
  back: () => ["barriers"],
};

const TRIGGER: Action = {
  run: (ctx, _params, form) => triggerAction(ctx, form),
  back: () => ["schedules"],
};
/** `/schedules/TASK/VERB`; a run now names its task in the form, picked there. */
const TASK_ACTIONS = new Map<string, Action>([
  ["pause", { run: (ctx, [task]) => pauseAction(ctx, task), back: () => ["schedules"] }],
  ["resume", { run: (ctx, [task]) => resumeAction(ctx, task), back: () => ["schedules"] }],
  ["remove", {
    run: (ctx, [task], form) => removeAction(ctx, task, form),
    back: () => ["schedules"],
  }],
]);

/** Options of {@link consoleHandler}. */
export interface ConsoleOptions {
  /** Required of every request but `/health` when given. */
  credentials?: Credentials;
  /** Fires when the backend may have changed (see `changes.ts`). */
  pulse: Pulse;
  /** Aborts open event streams when the console stops. */
  signal: AbortSignal;
  /** Histograms for `/metrics` (lock waits and holds, job durations and waits). */
  histograms?: HistogramSource[];
  /**
   * When given, answer only requests for an IP address, `localhost` or one of these names (see
   * `origin.ts`): for a console without credentials, which DNS rebinding could otherwise reach
   * from a web page. Undefined answers any host.
   */
  allowedHosts?: readonly string[];
}

/** Who may ask the console: checked of every request before anything is read or said of it. */
type Access = Pick<ConsoleOptions, "credentials" | "allowedHosts">;

/**
 * The console as a `Deno.serve` handler.
 *
 * @example
 * ```ts ignore
 * Deno.serve(consoleHandler(ctx, { pulse, signal }));
 * ```
 */
export function consoleHandler(
  ctx: UiContext,
  { credentials, pulse, signal, histograms, allowedHosts }: ConsoleOptions,
): (request: Request) => Promise<Response> {
  const notices = new Notices();
  const access = { credentials, allowedHosts };
  return guarded(ctx.base, access, () => health(ctx), async (request, url, path) => {
    if (path === "/metrics") return await metrics(ctx, histograms);
    const segments = segmentsOf(path);
    if (segments === undefined) return text("bad path\n", 400);
    if (request.method === "POST") return await post(ctx, request, segments, notices);
    if (request.method !== "GET" && request.method !== "HEAD") {
      return text("method not allowed\n", 405, { allow: "GET, HEAD, POST" });
    }
    if (path === "/live") return live(ctx, url, pulse, signal);
    if (segments[0] === "queues" && segments.length === 3 && segments[2] === "job") {
      const id = url.searchParams.get("id") ?? "";
      // Redirected, an empty id would name the path `jobs/`, which is no page.
      if (id === "") return errorPage(ctx, segments, new NoJobIdError(segments[1]));
      return redirect(
        `${ctx.base}/queues/${encodeURIComponent(segments[1])}/jobs/${encodeURIComponent(id)}`,
      );
    }
    const found = route(segments);
    if (!found) return text("not found\n", 404);
    const { view, outage, error, internal } = await render(ctx, found, url);
    // Plain text, without the script: a bug does not go away on its own, so nothing reloads.
    if (internal) return text(`${INTERNAL_ERROR}\n`, 500);
    if (error) return errorPage(ctx, segments, error);
    // Nothing read yet: the banner alone, and the script, which reloads the page once the
    // backend answers again.
    if (!view) return page(ctx, segments, OUTAGE_VIEW, livePart(undefined, outage), 503);
    const notice = notices.take(url.searchParams.get("notice"));
    return page(ctx, segments, view, livePart(view, outage), 200, notice);
  });
}

/** Options of {@link waitingHandler}. */
export interface WaitingOptions extends Access {
  /** The path prefix the console is served under: `""` or e.g. `/coord`. */
  base: string;
  /** Said in each page's header, as once it serves. */
  readOnly: boolean;
  /** Why the backend has not answered yet, in one line, asked at each request. */
  outage: () => string;
}

/**
 * The console while it waits for its backend at its start (a compose file starting it beside
 * Redis), listening already so that a probe and a browser are answered: every page is a 503 with
 * the outage banner and the script, which asks `/health` until it is a 200 (the console serves)
 * and reloads the page then; `/live`, `/metrics` and actions are a 503 in one line (a POST to a
 * `--read-only` console the 403 it gets once serving), `/health` a 503 — behind the checks the
 * console makes, so a client that would get 401 or 421 from it gets that.
 *
 * @example
 * ```ts ignore
 * let handler = waitingHandler({ base: "", readOnly: false, outage: () => "not reached yet" });
 * Deno.serve((request) => handler(request));
 * ```
 */
export function waitingHandler(
  { base, readOnly, credentials, allowedHosts, outage }: WaitingOptions,
): (request: Request) => Promise<Response> {
  return guarded(base, { credentials, allowedHosts }, unavailable, (request, _url, path) => {
    const reading = request.method === "GET" || request.method === "HEAD";
    if (!reading && readOnly) return readOnlyRefusal();
    if (path === "/live" || path === "/metrics" || !reading) {
      return text(`backend unavailable: ${outage()} — retrying\n`, 503);
    }
    const live = livePart(undefined, outage());
    return page({ base, readOnly }, segmentsOf(path) ?? [], OUTAGE_VIEW, live, 503);
  });
}

/**
 * `serve` behind what every request of the console passes first, its backend open or not: the
 * host (421 without credentials), the base path (404), `/health` (answered by `health`, for any
 * host and without credentials, for probes), the credentials (401), and the assets; a bug is one
 * line in the log and a 500.
 */
function guarded(
  base: string,
  { credentials, allowedHosts }: Access,
  health: () => Response | Promise<Response>,
  /** Given the path under the base. */
  serve: (request: Request, url: URL, path: string) => Response | Promise<Response>,
): (request: Request) => Promise<Response> {
  const handle = async (request: Request): Promise<Response> => {
    // The URL's host, not the `Host` header: HTTP/2 names the host in `:authority` only, and
    // Deno fills the URL from either (from the listening address for HTTP/1.0 without one).
    const url = new URL(request.url);
    // A probe (a Kubernetes Service name, a load balancer) may ask /health by any name: it says
    // only whether the backend answers.
    const probe = url.pathname === `${base}/health`;
    if (allowedHosts && !probe && !hostAnswered(url.hostname, allowedHosts)) {
      return text(
        `misdirected: without credentials this console answers only for localhost or an IP ` +
          `address, not ${url.host} — open it by one of those, give --allow-host ` +
          `${url.hostname} if you trust that name, or set COORD_UI_USER and COORD_UI_PASSWORD\n`,
        421,
      );
    }
    // Browsers ask for it on every page that names none, and for plain-text answers.
    if (url.pathname === "/favicon.ico" || url.pathname === `${base}/favicon.ico`) {
      return new Response(null, { status: 204, headers: { "cache-control": "max-age=86400" } });
    }
    if (url.pathname !== base && !url.pathname.startsWith(`${base}/`)) {
      return text(`${OUTSIDE_BASE}${base}/\n`, 404);
    }
    if (probe) return await health();
    if (credentials && !authorized(request, credentials)) return challenge();
    const path = url.pathname.slice(base.length);
    if (path === "/assets/style.css") return asset(STYLE, "text/css");
    if (path === "/assets/client.js") return asset(CLIENT, "text/javascript");
    return await serve(request, url, path);
  };
  return async (request) => {
    try {
      return await handle(request);
    } catch (error) {
      // A bug or a surprise from below: one line, as every coord error, and the console goes on.
      // The path, or the URL as it came when parsing it is what failed.
      let where = request.url;
      try {
        where = new URL(request.url).pathname;
      } catch {
        // named as it came
      }
      console.error(`coord ui: unexpected error: ${oneLine(error)} (${request.method} ${where})`);
      return text(`${INTERNAL_ERROR}\n`, 500);
    }
  };
}

async function post(
  ctx: UiContext,
  request: Request,
  segments: string[],
  notices: Notices,
): Promise<Response> {
  const refusal = crossSiteRefusal(request);
  if (refusal !== undefined) return text(`refused: ${refusal}\n`, 403);
  if (ctx.readOnly) return readOnlyRefusal();
  const found = action(segments);
  if (!found) return text("not found\n", 404);
  let form: FormData;
  try {
    form = await request.formData();
  } catch {
    return text("expected a form\n", 400);
  }
  if (!sameSecret(form.get("csrf") as string | null, ctx.csrfToken)) {
    return text("missing or wrong CSRF token: reload the page and try again\n", 403);
  }
  let done: string | Done;
  try {
    done = await found.action.run(ctx, found.params, form);
  } catch (error) {
    if (!(error instanceof CoordError)) throw error;
    // On a queue, job, task or lock that is not there, the answer its page gives (404): a notice
    // would send the browser back to that page, and a script would take the 303 for success.
    if (isUnknown(error)) return errorPage(ctx, segments, error);
    done = `Failed: ${oneLine(error)}`;
  }
  const { notice, goTo } = typeof done === "string"
    ? { notice: done, goTo: found.action.back(found.params) }
    : done;
  const back = goTo.map(encodeURIComponent).join("/");
  return redirect(`${ctx.base}/${back}?notice=${notices.put(notice)}`);
}

/** A POST to a `--read-only` console, its backend open or not: what `--help` promises. */
function readOnlyRefusal(): Response {
  return text("read-only: this console takes no actions\n", 403);
}

/** What the console answers for an error it did not expect; the log has the detail. */
const INTERNAL_ERROR = "internal error: the console's log says which";

/**
 * A page's view, or why there is none: the backend is out, the thing asked for is not, or a
 * bug (`internal`).
 */
async function render(
  ctx: UiContext,
  { page, params }: Route,
  url: URL,
): Promise<{ view?: View; outage?: string; error?: CoordError; internal?: true }> {
  try {
    return { view: await page(ctx, url, params) };
  } catch (error) {
    // Only this one means the backend is away (BackendRefusedError answers the same each time).
    if (error instanceof BackendUnavailableError) return { outage: oneLine(error) };
    if (error instanceof CoordError) return { error };
    // A bug, in the page or let through from below: shown as an outage it would promise a
    // recovery that never comes. One line in the log, once per message, as a live page
    // re-renders at every change.
    const message = `coord ui: unexpected error: ${oneLine(error)} (GET ${url.pathname})`;
    if (message !== lastLogged) console.error(message);
    lastLogged = message;
    return { internal: true };
  }
}

let lastLogged: string | undefined;

/** `/live?path=P`: the live part of page P each time it changes. */
function live(ctx: UiContext, url: URL, pulse: Pulse, signal: AbortSignal): Response {
  let target: URL;
  try {
    target = new URL(url.searchParams.get("path") ?? "/", url);
  } catch {
    // A malformed query, as a page's: not a bug of the console's.
    return text("bad path: ?path= is not a page's path\n", 400);
  }
  const segments = segmentsOf(target.pathname);
  const found = segments && route(segments);
  if (!found) return text("no such page\n", 404);
  const done = new AbortController();
  signal.addEventListener("abort", () => done.abort(), { once: true });
  async function* updates() {
    let sent = "";
    let lastView: View | undefined;
    while (!done.signal.aborted) {
      const seen = pulse.count;
      const { view, outage, error, internal } = await render(ctx, found!, target);
      if (view) lastView = view;
      const part = internal
        ? html`<p class="bad">${INTERNAL_ERROR}</p>`
        : error
        ? errorView(error).view.live
        : livePart(lastView, outage);
      if (part.text !== sent) {
        sent = part.text;
        yield {
          html: part.text,
          now: await ctx.backend.now().catch(() => Date.now()),
          outage: outage !== undefined,
          // Which console this is: a page served by another one stops following (client.ts).
          console: consoleOf(ctx.backend),
          // For the forms the page keeps (see client.ts): it may have been served by the
          // console that ran before this one, under another token. A read-only one has none.
          ...(!ctx.readOnly && { csrf: ctx.csrfToken }),
        };
      }
      await pause(MIN_RENDER_GAP_MS, done.signal);
      await pulse.after(seen, done.signal);
    }
  }
  return sseResponse(updates(), done);
}

async function health(ctx: UiContext): Promise<Response> {
  try {
    await ctx.backend.now();
    return text("ok\n", 200);
  } catch {
    return unavailable();
  }
}

/** `/health` while the backend does not answer. */
function unavailable(): Response {
  return text("unavailable\n", 503);
}

async function metrics(ctx: UiContext, histograms?: HistogramSource[]): Promise<Response> {
  try {
    return text(await metricsText(ctx.backend, histograms), 200, {
      "content-type": "text/plain; version=0.0.4",
    });
  } catch (error) {
    if (error instanceof CoordError) return text(`${oneLine(error)}\n`, 503);
    throw error;
  }
}

function page(
  ctx: Frame,
  segments: string[],
  view: View,
  live: Html,
  status: number,
  notice?: string,
): Response {
  const body = layout(ctx, {
    view,
    live,
    section: segments[0] ?? "",
    now: Date.now(),
    notice,
    reloadWhenBack: view === OUTAGE_VIEW,
  });
  return new Response(body.text, {
    status,
    headers: { ...SECURITY_HEADERS, "content-type": "text/html; charset=utf-8" },
  });
}

/** A page asked for while the backend is unreachable, before anything of it was read. */
const OUTAGE_VIEW: View = { title: "Backend unreachable", live: html`` };

/**
 * A page that cannot be shown: foreign data where the page's records are (as the CLI's 65), an
 * ACL that denies a command, a malformed name or query (`?state=`, `?after=`: a UsageError,
 * as the CLI's 64), or else no such thing (a name or id unknown).
 */
function errorView(error: CoordError): { view: View; status: number } {
  const [title, status] = isUnknown(error)
    ? ["Not found", 404]
    : error instanceof ForeignDataError
    ? ["Not coord's data", 409]
    : error instanceof BackendRefusedError
    ? ["Refused by the backend", 502]
    : error instanceof UsageError
    ? ["Bad request", 400]
    : ["Not found", 404];
  return { view: { title, live: html`<p class="bad">${oneLine(error)}</p>` }, status };
}

/** Whether `error` says the queue, job, task or lock acted on or asked for is not there (404). */
function isUnknown(error: CoordError): boolean {
  return error instanceof UnknownQueueError || error instanceof UnknownJobError ||
    error instanceof UnknownTaskError || error instanceof UnknownLockError ||
    error instanceof NoJobIdError;
}

/** The page of an error (see {@link errorView}), with its status. */
function errorPage(ctx: UiContext, segments: string[], error: CoordError): Response {
  const { view, status } = errorView(error);
  return page(ctx, segments, view, livePart(view, undefined), status);
}

/** Path segments, decoded; undefined when one is not valid percent-encoding. */
function segmentsOf(path: string): string[] | undefined {
  try {
    return path.split("/").filter((s) => s !== "").map(decodeURIComponent);
  } catch {
    return undefined;
  }
}

/** Scripts, styles and forms only from the console itself; no framing. */
const SECURITY_HEADERS = {
  "content-security-policy":
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
    "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
  "x-content-type-options": "nosniff",
  "referrer-policy": "same-origin",
  "cache-control": "no-store",
};

function asset(body: string, type: string): Response {
  return new Response(body, {
    headers: { "content-type": `${type}; charset=utf-8`, "cache-control": "max-age=300" },
  });
}

function text(body: string, status: number, headers: Record<string, string> = {}): Response {
  return new Response(body, {
    status,
    headers: { ...SECURITY_HEADERS, "content-type": "text/plain; charset=utf-8", ...headers },
  });
}

function redirect(location: string): Response {
  return new Response(null, { status: 303, headers: { location } });
}

function pause(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener("abort", done);
      resolve();
    }
    signal.addEventListener("abort", done, { once: true });
  });
}

/** Notices shown once after an action, by a random id, so no text travels in the URL. */
class Notices {
  static readonly KEPT = 100;
  readonly #texts = new Map<string, string>();

  put(text: string): string {
    const id = crypto.randomUUID();
    this.#texts.set(id, text);
    if (this.#texts.size > Notices.KEPT) this.#texts.delete(this.#texts.keys().next().value!);
    return id;
  }

  take(id: string | null): string | undefined {
    if (id === null) return undefined;
    const text = this.#texts.get(id);
    this.#texts.delete(id);
    return text;
  }
}
