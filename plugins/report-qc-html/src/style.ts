/**
 * The QC report's stylesheet (inlined into each page).
 *
 * Holds: `CSS`, a constant. Does not hold: markup (see `page.ts`).
 */
export const CSS = `
:root { --fail: #d93025; --warn: #f29900; --pass: #1e8e3e; --info: #80868b; --line: #e0e3e7; --muted: #5f6368; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: #202124; background: #f6f8fa; }
main { max-width: 1240px; margin: 0 auto; padding: 24px 28px 48px; }
header h1 { margin: 0 0 4px; font-size: 22px; font-weight: 600; }
header .dataset { margin: 0 0 16px; font-size: 15px; }
h2 { font-size: 17px; font-weight: 600; margin: 28px 0 10px; }
h3 { font-size: 14px; font-weight: 600; margin: 8px 0 6px; }
section { background: white; border: 1px solid var(--line); border-radius: 8px; padding: 4px 18px 14px; margin-top: 16px; }
section.cards { display: flex; gap: 12px; background: none; border: 0; padding: 0; flex-wrap: wrap; }
.card { background: white; border: 1px solid var(--line); border-radius: 8px; padding: 10px 16px; min-width: 120px; }
.card .value { font-size: 22px; font-weight: 600; font-variant-numeric: tabular-nums; }
.card .name { color: var(--muted); font-size: 12px; text-transform: uppercase; letter-spacing: .04em; }
.card.fail .value { color: var(--fail); } .card.warn .value { color: var(--warn); }
section.failures { border-color: #f5c2c0; background: #fdf3f2; }
section.failures li { margin: 4px 0; word-break: break-word; }
.charts { display: flex; flex-wrap: wrap; gap: 18px 28px; align-items: flex-start; }
figure.chart { margin: 0; }
figure.chart svg { max-width: 100%; height: auto; display: block; }
figure.missing { color: var(--muted); font-style: italic; }
table { border-collapse: collapse; width: 100%; font-variant-numeric: tabular-nums; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { font-weight: 600; color: var(--muted); font-size: 12px; background: #fafbfc; position: sticky; top: 0; }
td.num, th.num { text-align: right; white-space: nowrap; }
td.wrap { word-break: break-all; max-width: 360px; }
td.msg { min-width: 420px; max-width: 640px; word-break: break-word; }
table.findings td { font-size: 13px; }
table.findings td.wrap { max-width: 200px; }
tr.total td { font-weight: 600; }
table.findings tr.fail td { background: #fdf3f2; }
table.findings tr.warn td { background: #fef7e0; }
.scroll { max-height: 560px; overflow: auto; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 12px; font-weight: 600; color: white; background: var(--info); text-transform: uppercase; letter-spacing: .03em; }
.badge.fail { background: var(--fail); } .badge.warn { background: var(--warn); } .badge.pass { background: var(--pass); }
.columns { display: flex; gap: 24px; flex-wrap: wrap; } .columns > div { flex: 1 1 300px; }
ul.compact { padding-left: 18px; } ul.compact li { margin: 3px 0; word-break: break-word; }
.muted { color: var(--muted); }
footer { margin-top: 24px; font-size: 12px; }
table.availability { width: auto; }
table.availability td, table.availability th { font-size: 13px; }
table.availability tr.group th { background: #eef1f4; color: #202124; font-size: 13px; position: static; }
table.availability th.current { color: #202124; }
table.availability td.current { outline: 1px solid #9aa0a6; outline-offset: -1px; }
td.avail-full { background: #e6f4ea; } td.avail-most { background: #fef7e0; } td.avail-some { background: #fce8d5; }
td.avail-none { background: #fce8e6; color: var(--fail); font-weight: 600; } td.avail-absent { color: var(--muted); }
.lack { display: block; font-size: 11px; font-weight: 400; color: var(--fail); white-space: nowrap; }
p .lack { display: inline; }
ul.notes li { color: var(--muted); }
code { font-size: 12px; }
`
