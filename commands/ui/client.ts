/**
 * The console's only script, served at `/assets/client.js` (no build step, no CDN): it keeps
 * the live part of a page current from the server's event stream, shows instants in the
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
  const path = location.pathname.slice(document.body.dataset.base.length) + location.search;
  const stream = document.body.dataset.base + "/live?path=" + encodeURIComponent(path);
  const follow = () => {
    const source = new EventSource(stream);
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
    source.onerror = () => {
      // A stream cut is reconnected by the browser; one refused with a status (the 503 of a
      // console still waiting for its backend at its start) is given up, so asked again here.
      if (source.readyState !== EventSource.CLOSED) {
        status.textContent = "reconnecting…";
        return;
      }
      status.textContent = "backend unavailable — retrying";
      setTimeout(follow, 1000);
    };
  };
  follow();
})();
`;
