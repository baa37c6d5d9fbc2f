/**
 * The evaluation report's stylesheet (inlined into the page).
 *
 * Holds: `CSS`, a constant, in the same look as the QC report. Does not hold: markup (see `page.ts`).
 */
export const CSS = `
:root { --fail: #d93025; --warn: #f29900; --pass: #1e8e3e; --info: #80868b; --line: #e0e3e7; --muted: #5f6368; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #202124; background: #f6f8fa; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 48px; }
header h1 { margin: 0 0 4px; font-size: 22px; font-weight: 600; }
header .lead { margin: 0 0 6px; font-size: 15px; }
h2 { font-size: 17px; font-weight: 600; margin: 20px 0 10px; }
h3 { font-size: 14px; font-weight: 600; margin: 12px 0 6px; }
h3.sub { font-size: 15px; margin-top: 22px; border-top: 1px solid var(--line); padding-top: 12px; }
h4 { font-size: 13px; font-weight: 600; margin: 10px 0 4px; color: var(--muted); }
section { background: white; border: 1px solid var(--line); border-radius: 8px; padding: 4px 18px 14px; margin-top: 16px; }
.charts { display: flex; flex-wrap: wrap; gap: 18px 28px; align-items: flex-start; margin-top: 12px; }
figure.chart { margin: 0; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
figure.missing { color: var(--muted); font-style: italic; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; background: #fafbfc; }
td.num, th.num { text-align: right; white-space: nowrap; }
th.center { text-align: center; }
td.wrap { word-break: break-all; max-width: 360px; }
td.name { white-space: nowrap; max-width: 260px; overflow: hidden; text-overflow: ellipsis; }
table.summary tr.group td { border-top: 2px solid var(--line); }
table.summary td, table.summary th { padding: 4px 6px; font-size: 13px; }
table.confusion td.tp { background: #e6f4ea; } table.confusion td.fp { background: #fce8e6; } table.confusion td.fn { background: #fef7e0; }
table.confusion tr.oracle td { color: var(--muted); font-style: italic; }
table.breakdown td, table.breakdown th { font-size: 13px; }
table.breakdown tr.mining td:first-child { border-left: 3px solid var(--fail); }
table.breakdown tr.benign td:first-child { border-left: 3px solid var(--pass); }
table.kv th { width: 40%; font-weight: 500; position: static; }
.scroll { max-height: 560px; overflow: auto; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: white; background: var(--info); letter-spacing: .03em; vertical-align: middle; }
.badge.fail { background: var(--fail); } .badge.warn { background: var(--warn); } .badge.pass { background: var(--pass); }
.columns { display: flex; gap: 24px; flex-wrap: wrap; } .columns > div { flex: 1 1 300px; min-width: 0; }
.model-card { border-top: 1px solid var(--line); padding-top: 6px; margin-top: 10px; }
.model-card:first-of-type { border-top: 0; }
.model-card .columns > div { overflow-x: auto; }
ul.compact { padding-left: 18px; margin: 4px 0; } ul.compact li { margin: 3px 0; word-break: break-word; }
code { font-size: 12px; background: #f1f3f4; padding: 0 4px; border-radius: 3px; word-break: break-all; }
.muted { color: var(--muted); }
footer { margin-top: 24px; font-size: 12px; }
`
