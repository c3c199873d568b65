/**
 * The console's stylesheet, served at `/assets/style.css`: system fonts, light and dark, and
 * tables that become cards on a phone (no sideways scroll at 390 px).
 *
 * Long ids and JSON must not widen the page, but ordinary words must not break inside either.
 * `overflow-wrap: break-word` breaks a word only when it overflows its line, but a table sizes
 * its columns before that, so the cells that hold names, ids and code (a table's first column,
 * links, code) get `anywhere`, which lets the table narrow them. On everything, it let the
 * table narrow every column, and "failed" became "fail/ed".
 *
 * @module
 */

/** The stylesheet. */
export const STYLE = `
:root { color-scheme: light dark; --fg: #1d2330; --muted: #5d6675; --bg: #f7f8fa; --card: #fff;
  --line: #dde1e7; --accent: #2457c5; --bad: #b42318; --ok: #157347; --warn: #9a6700; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e8eb; --muted: #9aa3ad; --bg: #14171c;
  --card: #1c2027; --line: #2e343d; --accent: #7aa2ff; --bad: #ff7b72; --ok: #56d364;
  --warn: #e3b341; } }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif;
  color: var(--fg); background: var(--bg); overflow-wrap: break-word; }
header { display: flex; flex-wrap: wrap; align-items: center; gap: .25rem 1rem;
  padding: .6rem 1rem; background: var(--card); border-bottom: 1px solid var(--line); }
header strong { font-size: 1.05rem; }
nav { display: flex; flex-wrap: wrap; gap: .25rem .9rem; }
nav a { color: var(--muted); text-decoration: none; }
nav a[aria-current] { color: var(--fg); font-weight: 600; }
.mode { margin-left: auto; font-size: .8rem; color: var(--muted); }
main { max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.3rem; margin: .2rem 0 1rem; }
h2 { font-size: 1.05rem; margin: 1.4rem 0 .5rem; }
a { color: var(--accent); }
section, .card { background: var(--card); border: 1px solid var(--line); border-radius: 8px;
  padding: .2rem .9rem .8rem; margin-bottom: 1rem; }
table { width: 100%; border-collapse: collapse; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: .35rem .5rem; border-bottom: 1px solid var(--line);
  vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: .85rem; }
td:first-child, td a, td code, td pre, .holder { overflow-wrap: anywhere; }
pre { margin: 0; white-space: pre-wrap; font-size: .85rem; max-height: 20rem; overflow: auto; }
code, pre { font-family: ui-monospace, "SFMono-Regular", Menlo, monospace; }
dl { display: grid; grid-template-columns: max-content 1fr; gap: .3rem 1rem; margin: .6rem 0; }
dt { color: var(--muted); }
dd { margin: 0; min-width: 0; }
.empty, .muted { color: var(--muted); }
.state-failed, .bad { color: var(--bad); font-weight: 600; }
.state-completed, .ok { color: var(--ok); font-weight: 600; }
.state-active, .warn { color: var(--warn); font-weight: 600; }
.banner { background: var(--bad); color: #fff; padding: .6rem 1rem; border-radius: 6px;
  margin-bottom: 1rem; }
.notice { background: var(--card); border-left: 4px solid var(--accent); padding: .5rem .8rem;
  margin-bottom: 1rem; }
form { display: inline-flex; flex-wrap: wrap; gap: .4rem; margin: .2rem .4rem .2rem 0; }
input[type=text], input[type=search], select { font: inherit; padding: .3rem .5rem;
  min-width: 0; border: 1px solid var(--line); border-radius: 5px; background: var(--bg);
  color: var(--fg); }
.actions { display: flex; flex-wrap: wrap; }
button { font: inherit; padding: .3rem .8rem; border-radius: 5px; border: 1px solid var(--line);
  background: var(--bg); color: var(--fg); cursor: pointer; }
button.danger { border-color: var(--bad); color: var(--bad); }
time[data-age]::after { content: none; }
.progress { display: inline-flex; align-items: center; gap: .4rem; white-space: nowrap; }
.progress progress { width: 6rem; accent-color: var(--accent); }
@media (max-width: 640px) {
  main { padding: .6rem; }
  table, tbody, tr, td { display: block; }
  thead { display: none; }
  tr { border-bottom: 1px solid var(--line); padding: .4rem 0; }
  td { border: 0; padding: .1rem 0; display: grid; grid-template-columns: 8.5rem 1fr;
    gap: .5rem; }
  td::before { content: attr(data-label); color: var(--muted); font-size: .85rem; }
  dl { grid-template-columns: 1fr; gap: 0; }
  dd { margin-bottom: .4rem; }
}
`;
