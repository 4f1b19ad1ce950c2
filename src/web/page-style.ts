/** The CSS both lmx pages share (report and trace viewer): system fonts, light and dark, no assets. */
export const pageStyle = `
:root { color-scheme: light dark; --fg: #1d2330; --muted: #667085; --bg: #fff; --panel: #f5f7fa; --line: #d9dee7;
  --ok: #138a4c; --bad: #c0392b; --accent: #2f6fde; --front: #d9822b; }
@media (prefers-color-scheme: dark) { :root { --fg: #e6e9ef; --muted: #98a2b3; --bg: #14171d; --panel: #1d222b; --line: #323946; } }
* { box-sizing: border-box; }
body { margin: 0; padding: 24px; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", sans-serif; color: var(--fg); background: var(--bg); }
h1 { font-size: 20px; margin: 0 0 4px; } h2 { font-size: 16px; margin: 28px 0 8px; } h3 { font-size: 14px; margin: 12px 0 4px; }
.muted { color: var(--muted); }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; background: var(--panel); position: sticky; top: 0; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; }
tr.clickable { cursor: pointer; } tr.clickable:hover { background: var(--panel); }
.ok { color: var(--ok); } .bad { color: var(--bad); }
.front { color: var(--front); font-weight: 700; }
pre, code { font: 12px/1.4 ui-monospace, SFMono-Regular, Menlo, monospace; }
pre { white-space: pre-wrap; word-break: break-word; background: var(--panel); padding: 6px 8px; border-radius: 4px; margin: 4px 0; }
.panel { background: var(--panel); border: 1px solid var(--line); border-radius: 6px; padding: 10px 12px; margin: 8px 0; }
.chip { display: inline-block; padding: 0 6px; border-radius: 10px; border: 1px solid var(--line); margin: 1px 2px; font-size: 12px; }
input[type=search], input[type=password] { padding: 4px 8px; border: 1px solid var(--line); border-radius: 4px; background: var(--bg); color: var(--fg); min-width: 260px; }
button { padding: 3px 10px; border: 1px solid var(--line); border-radius: 4px; background: var(--panel); color: var(--fg); cursor: pointer; }
li.sample pre { display: inline-block; vertical-align: top; margin: 1px 0; }
svg text { fill: var(--fg); font: 11px system-ui, sans-serif; }
svg .axis { stroke: var(--muted); } svg .grid { stroke: var(--line); }
`;
