/** The playground's stylesheet (served as /playground/app.css; the CSP allows no inline styles). */
export const PAGE_CSS = `
:root { color-scheme: light dark; --bg: #f6f7f9; --panel: #fff; --ink: #1d2330; --muted: #677085;
  --line: #dde1e8; --accent: #3b5bdb; --warn: #b35c00; --error: #c92a2a; --ok: #2b8a3e; --private: #fff8e1; }
@media (prefers-color-scheme: dark) {
  :root { --bg: #14161b; --panel: #1c1f26; --ink: #e7e9ee; --muted: #9aa3b5; --line: #2d323c;
    --accent: #7b93ff; --private: #2b2616; }
}
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 system-ui, sans-serif; background: var(--bg); color: var(--ink);
  display: flex; flex-direction: column; height: 100vh; }
.top { display: flex; align-items: center; justify-content: space-between; padding: 10px 18px;
  border-bottom: 1px solid var(--line); background: var(--panel); }
.top h1 { margin: 0; font-size: 18px; } .top h1 span { color: var(--muted); font-weight: 400; }
.who input { margin-left: 6px; }
input, button, select { font: inherit; color: inherit; }
select { padding: 3px 6px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); }
input { padding: 6px 8px; border: 1px solid var(--line); border-radius: 6px; background: var(--bg); }
button, .attach { padding: 6px 12px; border: 1px solid var(--line); border-radius: 6px;
  background: var(--panel); cursor: pointer; }
button:hover, .attach:hover { border-color: var(--accent); }
button[type=submit] { background: var(--accent); color: #fff; border-color: var(--accent); }
/* The log scrolls; the composer and the new-video options stay in view. */
.layout { display: grid; grid-template-columns: 200px 1fr; grid-template-rows: minmax(0, 1fr); flex: 1;
  min-height: 0; }
.rooms { border-right: 1px solid var(--line); padding: 12px; overflow: auto; }
.rooms h2 { font-size: 13px; text-transform: uppercase; color: var(--muted); margin: 0 0 8px; }
.rooms ul { list-style: none; margin: 0 0 12px; padding: 0; }
.rooms a { display: block; padding: 4px 8px; border-radius: 6px; color: inherit; text-decoration: none; }
.rooms a[aria-current=page] { background: var(--accent); color: #fff; }
.new-room { display: flex; gap: 4px; } .new-room input { width: 100%; min-width: 0; }
.room { display: flex; flex-direction: column; min-width: 0; min-height: 0; }
.room-head { display: flex; align-items: baseline; gap: 12px; padding: 10px 18px 0; }
.room-head h2 { margin: 0; font-size: 17px; }
.connection { color: var(--muted); font-size: 13px; }
.log { flex: 1; overflow: auto; list-style: none; margin: 0; padding: 12px 18px; display: flex;
  flex-direction: column; gap: 10px; }
.msg { background: var(--panel); border: 1px solid var(--line); border-radius: 10px; padding: 10px 12px;
  max-width: 760px; }
.msg.private { background: var(--private); border-style: dashed; }
.private-tag { font-size: 12px; color: var(--muted); margin-bottom: 4px; }
.mention { font-size: 12px; font-weight: 600; color: var(--accent, #5865f2); margin-bottom: 4px; }
.title { font-weight: 600; overflow-wrap: anywhere; }
.meta { color: var(--muted); font-size: 13px; }
.lines { white-space: pre-wrap; overflow-wrap: anywhere; }
.lines code, .meta code { font: 13px ui-monospace, monospace; background: var(--bg); padding: 0 3px;
  border-radius: 4px; }
/* Help and list align their columns with spaces. */
.msg-help .lines, .msg-list .lines { font: 13px/1.5 ui-monospace, monospace; }
.phase { font-family: ui-monospace, monospace; font-size: 13px; }
progress { width: 100%; height: 10px; accent-color: var(--accent); }
.msg-failure, .tone-error { border-left: 4px solid var(--error); }
.tone-warning { border-left: 4px solid var(--warn); }
.tone-success { border-left: 4px solid var(--ok); }
video { display: block; max-width: 100%; max-height: 60vh; margin: 8px 0; border-radius: 8px; background: #000; }
.remix-badge { display: inline-block; font-size: 12px; padding: 1px 8px; border-radius: 10px;
  background: var(--accent); color: #fff; margin-left: 6px; vertical-align: middle; }
.actions { display: flex; gap: 6px; flex-wrap: wrap; margin-top: 6px; }
.remix-form { display: flex; gap: 6px; margin-top: 6px; } .remix-form input { flex: 1; }
.composer { display: flex; gap: 6px; align-items: center; padding: 10px 18px 8px; border-top: 1px solid var(--line); }
.composer #command { flex: 1; min-width: 0; }
.create-options { display: flex; gap: 12px; align-items: center; flex-wrap: wrap; padding: 0 18px 12px;
  font-size: 13px; color: var(--muted); }
.create-options select:disabled { opacity: 0.6; }
.estimate { font-weight: 600; color: var(--ink); } .estimate.problem { color: var(--warn); font-weight: 400; }
.usage-chart { display: block; max-width: 100%; margin: 8px 0; border-radius: 8px; background: #fff; }
.msg-status[data-phase=approval] { border-left: 4px solid var(--warn); }
.attachment { font-size: 13px; color: var(--muted); white-space: nowrap; }
.attachment button { padding: 0 6px; }
.empty { color: var(--muted); }
@media (max-width: 640px) { .layout { grid-template-columns: 1fr; } .rooms { display: none; } }
`;
