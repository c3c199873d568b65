/**
 * The console's only script, served at `/assets/client.js` (no build step, no CDN): it keeps
 * the live part of a page current from the server's event stream (or, on a page of a console
 * still waiting for its backend, loads it once the console serves), shows instants in the
 * browser's zone with their age, and asks before destructive actions. The server sends
 * escaped HTML only, so putting it in the page adds no way in for a script.
 *
 * @module
 */

/** The script. */
export const CLIENT = `"use strict";
(() => {
  const live = document.getElementById("live");
  const status = document.getElementById("stream");
  let offsetMs = 0;
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
  if (document.body.hasAttribute("data-waiting")) {
    waitForConsole(base + "/health");
    return;
  }
  const path = location.pathname.slice(base.length) + location.search;
  const source = new EventSource(base + "/live?path=" + encodeURIComponent(path));
  source.onmessage = (e) => {
    const update = JSON.parse(e.data);
    // Served while the backend was out, the page lacks its title and forms: reload it whole.
    if (!update.outage && live.hasAttribute("data-reload-when-back")) {
      source.close();
      location.reload();
      return;
    }
    live.innerHTML = update.html;
    live.dataset.now = String(update.now);
    sync();
    paint();
    status.textContent = update.outage ? "backend unreachable" : "live";
  };
  // A stream cut is reconnected by the browser; one refused (a page with no stream, credentials
  // changed, a proxy's error) is given up, and not asked again: a browser does not say why, so a
  // script asking again would ask forever where the answer stays the same.
  source.onerror = () => {
    status.textContent = source.readyState === EventSource.CLOSED
      ? "not live — reload to try again"
      : "reconnecting…";
  };

  // A page of a console still waiting for its backend at its start: /health, which a fetch sees
  // the status of, is a 503 until the console serves, and then the page is loaded whole. Asked
  // every second while the console says it waits (up to a minute, then it exits), less often
  // while nothing or something else answers (the console restarting, a proxy's 502).
  function waitForConsole(health) {
    let pauseMs = 1000;
    const ask = async () => {
      const answer = await fetch(health, { cache: "no-store" }).catch(() => undefined);
      if (answer?.ok) {
        location.reload();
        return;
      }
      if (answer?.status === 503) {
        pauseMs = 1000;
        status.textContent = "backend unavailable — retrying";
      } else {
        pauseMs = Math.min(pauseMs * 2, 10000);
        status.textContent = "console not answering — retrying";
      }
      setTimeout(ask, pauseMs);
    };
    ask();
  }
})();
`;
