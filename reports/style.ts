// One stylesheet, inline: readable on screen and on paper, no web fonts (no network).
export const REPORT_CSS = `
:root { color-scheme: light; }
body { font: 14px/1.45 Helvetica, Arial, sans-serif; color: #1a1a1a; max-width: 1100px; margin: 2em auto; padding: 0 1.5em; }
h1 { font-size: 1.6em; margin-bottom: 0.2em; }
h2 { font-size: 1.3em; border-bottom: 2px solid #1a1a1a; padding-bottom: 0.2em; margin-top: 2.2em; }
h3 { font-size: 1.05em; margin: 1.4em 0 0.4em; }
table { border-collapse: collapse; margin: 0.4em 0; }
th, td { border: 1px solid #ccc; padding: 0.25em 0.6em; text-align: right; vertical-align: top; }
th { background: #f4f4f4; text-align: left; font-weight: 600; }
table.context td { text-align: left; }
td.ratio { font-weight: 600; }
.note { color: #555; font-size: 0.9em; }
.runid { font-weight: normal; color: #555; font-size: 0.85em; }
ul.checks li.ok::marker { content: '✓ '; color: #1b7f3a; }
ul.checks li.bad { color: #a40000; font-weight: 600; }
ul.checks li.bad::marker { content: '✗ '; }
ul.sentences li { margin: 0.3em 0; }
.tag { font-size: 0.75em; font-weight: 600; background: #fff3cd; border: 1px solid #d4a000; padding: 0.05em 0.4em; margin-left: 0.4em; }
pre { background: #f4f4f4; padding: 0.6em; white-space: pre-wrap; word-break: break-all; }
div.charts { display: flex; flex-wrap: wrap; gap: 1.5em 2.5em; align-items: flex-start; }
figure.chart { margin: 0.5em 0; }
figure.chart svg { max-width: 100%; height: auto; }
figcaption { font-size: 0.85em; color: #555; }
h4 { font-size: 0.98em; margin: 1.2em 0 0.3em; }
td.why { text-align: left; color: #444; font-size: 0.9em; }
.bad { color: #a40000; }
@media print {
  body { margin: 0; max-width: none; font-size: 11pt; }
  @page { margin: 15mm; }
  h2 { break-before: page; }
  header + section h2, header + h2 { break-before: avoid; }
  figure.chart, table, .headline ul { break-inside: avoid; }
  th { background: #eee !important; -webkit-print-color-adjust: exact; print-color-adjust: exact; }
  svg { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
}
`;
