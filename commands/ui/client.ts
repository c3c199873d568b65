/**
 * The console's only script, served at `/assets/client.js` (no build step, no CDN): it keeps
 * the live part of a page current from the server's event stream, and follows it again once the
 * console serves after losing it (the console restarted or crashed, a proxy cut it); on a page
 * of a console still waiting for its backend, it loads the page once the console serves. It
 * shows instants in the browser's zone with their age, and asks before destructive actions. The
 * server sends escaped HTML only, so putting it in the page adds no way in for a script.
 *
 * @module
 */

/** How the console's 404 for a path outside its `--base-path` begins: the page tells it so. */
export const OUTSIDE_BASE = "not found: the console is under ";

/** The script. */
export const CLIENT = `"use strict";
(() => {
  const live = document.getElementById("live");
  const status = document.getElementById("stream");
  let offsetMs = 0;
  // What the header says of a refused stream, by status.
  const REFUSALS = {
    401: "the console asks for other credentials",
    403: "refused",
    404: "this page has no live view",
    421: "the console does not answer this host name",
  };
  // How a console begins its 404 for a path outside its --base-path.
  const ELSEWHERE = ${JSON.stringify(OUTSIDE_BASE)};
  const sync = () => { offsetMs = Number(live.dataset.now) - Date.now(); };
  const span = (ms) => {
    const s = Math.abs(ms) / 1000;
    if (s < 1) return "now";
    const text = s < 60 ? Math.floor(s) + " s" : s < 3600 ? Math.floor(s / 60) + " min"
      : s < 86400 ? Math.floor(s / 3600) + " h " + Math.floor((s % 3600) / 60) + " min"
      : Math.floor(s / 86400) + " d";
    return ms < 0 ? "in " + text : text + " ago";
  };
  const paint = () => {
    const now = Date.now() + offsetMs;
    for (const t of document.querySelectorAll("time[data-at]")) {
      const at = Number(t.dataset.at);
      const local = new Date(at);
      t.title = local.toString();
      if (t.hasAttribute("data-age")) {
        t.textContent = span(now - at).replace(" ago", "");
      } else {
        const sameDay = local.toDateString() === new Date(now).toDateString();
        const shown = sameDay ? local.toLocaleTimeString() : local.toLocaleString();
        t.textContent = shown + " (" + span(now - at) + ")";
      }
    }
  };
  document.addEventListener("submit", (e) => {
    const question = e.target.dataset.confirm;
    if (question && !window.confirm(question)) e.preventDefault();
  });
  sync();
  paint();
  setInterval(paint, 1000);
  const base = document.body.dataset.base;
  // The header says how the page follows the console; a banner says when it shows an old state.
  const say = (text) => { status.textContent = text; };
  const banner = document.createElement("div");
  banner.className = "banner";
  banner.setAttribute("role", "status");
  // Between two asks: from 1 s, doubling while nothing better comes, to 4 s, plus up to half
  // of it at random, so that the pages open on a console that restarts do not ask together.
  let pauseMs = 1000;
  // A stream open this long that ends is asked again at once: at most once in this long.
  const QUIET_RETRY_AFTER_MS = 10000;
  // Nothing heard this long (the console sends a comment every 15 s): the connection died
  // without an end (a laptop's sleep, a NAT's timeout), and is given up.
  const SILENT_MS = 45000;
  const later = (ask) => {
    setTimeout(ask, pauseMs * (1 + Math.random() / 2));
    pauseMs = Math.min(pauseMs * 2, 4000);
  };
  if (document.body.hasAttribute("data-waiting")) {
    untilServing(() => location.reload());
    return;
  }
  const path = location.pathname.slice(base.length) + location.search;
  const stream = base + "/live?path=" + encodeURIComponent(path);
  follow();

  // The page's event stream, read with fetch rather than EventSource, which does not say what
  // a refused stream was answered: a stream that ends, or cannot be had for a network error or
  // a 503 (a console restarting, or waiting for its backend at its start), is asked again once
  // the console serves; one refused otherwise (404: a page with no stream; 401, 403: the
  // credentials changed; 421; a proxy's error or login page) would be answered the same each
  // time, so it is given up. A stream that was open a while and ends was most likely cut by
  // something between (a proxy's time limit): it is asked again at once, without a banner.
  async function follow() {
    const opened = Date.now();
    const cut = new AbortController();
    const answer = await fetch(stream, { cache: "no-store", signal: cut.signal })
      .catch(() => undefined);
    const refusal = answer && refusalOf(answer);
    if (refusal) {
      stopFollowing(refusal);
      return;
    }
    if (answer) {
      try {
        if (await readUpdates(answer.body, cut) === "another console") return;
      } catch {
        // The connection was lost, or went silent: as when the stream ends.
      }
      if (Date.now() - opened >= QUIET_RETRY_AFTER_MS) {
        say("reconnecting…");
        follow();
        return;
      }
    }
    banner.textContent = "Not live — showing the last state read; reconnecting…";
    live.before(banner);
    say("reconnecting…");
    untilServing(follow);
  }

  // Why an answer to the stream's request will never be the stream; undefined when it is, or
  // may be later (a 503).
  function refusalOf(answer) {
    if (answer.status === 503) return undefined;
    if (!answer.ok) return REFUSALS[answer.status] ?? "answered " + answer.status;
    const type = answer.headers.get("content-type") ?? "";
    if (answer.redirected || !type.startsWith("text/event-stream")) {
      return "answered with something other than the console's updates";
    }
    return undefined;
  }

  function stopFollowing(reason) {
    say("not live: " + reason + " — reload to try again");
    banner.textContent = "Not live — showing the last state read.";
  }

  // Shows each update of a stream as sse.ts writes it: "data: JSON" blocks and comment lines,
  // each ended by an empty line; until it ends, goes silent (then cut), or another console
  // answers.
  async function readUpdates(body, cut) {
    const reader = body.getReader();
    const decoder = new TextDecoder();
    let silence = setTimeout(() => cut.abort(), SILENT_MS);
    let unread = "";
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return "ended";
        clearTimeout(silence);
        silence = setTimeout(() => cut.abort(), SILENT_MS);
        // A proxy may end lines with CR LF; a CR at the end may be the first half of one.
        let text = unread + decoder.decode(value, { stream: true });
        const held = text.endsWith("\\r") ? "\\r" : "";
        text = text.slice(0, text.length - held.length).replace(/\\r\\n?/g, "\\n");
        const blocks = text.split("\\n\\n");
        unread = blocks.pop() + held;
        for (const block of blocks) {
          if (!block.startsWith("data: ")) continue;
          const update = JSON.parse(block.slice("data: ".length));
          // Its state, and its forms' token, are another backend's: not this page's to show.
          if (update.console !== document.body.dataset.console) {
            stopFollowing("another console answers here now");
            return "another console";
          }
          show(update);
        }
      }
    } finally {
      clearTimeout(silence);
      reader.cancel().catch(() => {});
    }
  }

  function show(update) {
    // Served while the backend was out, the page lacks its title and forms: reload it whole.
    if (!update.outage && live.hasAttribute("data-reload-when-back")) {
      location.reload();
      return;
    }
    live.innerHTML = update.html;
    live.dataset.now = String(update.now);
    // A console started since the page was served checks another token: the forms outside the
    // live part (typed into, so not replaced) take the one it sends.
    if (update.csrf !== undefined) {
      for (const input of document.querySelectorAll('input[name="csrf"]')) {
        input.value = update.csrf;
      }
    }
    sync();
    paint();
    banner.remove();
    pauseMs = 1000;
    say(update.outage ? "backend unreachable" : "live");
  }

  // Asks /health, which a fetch sees the status of, until it is a 200 (the console serves and
  // its backend answers), then calls then. A 503 is a console whose backend does not answer (at
  // its start it waits a minute, then exits); a console's own 404, a console under another
  // --base-path, which would answer the same each time; no answer, or another status (a proxy's
  // 404 too: some answer it while the service they route to restarts), a console restarting, or
  // a proxy before it.
  function untilServing(then) {
    const ask = async () => {
      const answer = await fetch(base + "/health", { cache: "no-store" }).catch(() => undefined);
      if (answer?.ok) {
        then();
        return;
      }
      if (answer?.status === 404 && (await answer.text()).startsWith(ELSEWHERE)) {
        stopFollowing("no console answers under " + base + "/ here now");
        return;
      }
      say(answer?.status === 503 ? "backend unavailable — retrying" : "reconnecting…");
      later(ask);
    };
    later(ask);
  }
})();
`;
