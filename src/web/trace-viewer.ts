import { clientScript } from "./client-script.ts";
import { escapeHtml, jsonForScript } from "./html-text.ts";
import { pageStyle } from "./page-style.ts";

const viewerStyle = `
.layout { display: grid; grid-template-columns: minmax(420px, 45%) 1fr; gap: 16px; align-items: start; }
.list-box td { white-space: nowrap; } .list-box td.model { white-space: normal; word-break: break-all; }
.list-box { max-height: calc(100vh - 120px); overflow: auto; border: 1px solid var(--line); border-radius: 6px; }
tr.selected { background: var(--panel); }
details.span { border-left: 2px solid var(--line); margin: 4px 0 4px 6px; padding-left: 8px; }
details.span-lm { border-left-color: var(--accent); }
summary { cursor: pointer; }
.span-body { margin: 4px 0 6px 4px; }
.event { margin: 2px 0; }
@media (max-width: 900px) { .layout { grid-template-columns: 1fr; } }
`;

/**
 * The `/ui` page of `lmx serve`: a self-contained trace viewer (inline CSS and JS, no other assets)
 * that lists recent requests from `GET {apiBase}/v1/traces` and opens their trace trees from
 * `GET {apiBase}/v1/traces/:id`. A server with API keys gets a key box (kept in localStorage).
 */
export function traceViewerPage(options: { title?: string; apiBase?: string } = {}): string {
  const title = options.title ?? "lmx traces";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><link rel="icon" href="data:,">
<title>${escapeHtml(title)}</title><style>${pageStyle}${viewerStyle}</style></head>
<body>
<h1>${escapeHtml(title)}</h1>
<div><button id="refresh">refresh</button> <label><input type="checkbox" id="auto" checked> auto-refresh</label> <span id="status" class="muted"></span></div>
<div id="key-box" class="panel" hidden>This server needs an API key: <input type="password" id="key" placeholder="sk-..."> <button id="save-key">use key</button></div>
<div class="layout">
<div class="list-box"><table><thead><tr><th>time</th><th>model</th><th>status</th><th class="num">calls</th><th class="num">tokens</th><th class="num">cost</th><th class="num">time</th></tr></thead><tbody id="trace-list"></tbody></table></div>
<div id="trace-pane" class="muted">Pick a request to see its trace.</div>
</div>
<script type="application/json" id="viewer-config">${jsonForScript({ apiBase: options.apiBase ?? "" })}</script>
<script>${clientScript("dom-element.js")}</script>
<script>${clientScript("trace-viewer.js")}</script>
</body></html>
`;
}
