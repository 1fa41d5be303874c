/**
 * viz/src/views/compare.ts — the table of differences under the plots when two runs are
 * compared: every numeric summary figure of A and B, B − A and the change in %, changed rows
 * marked; exportable as CSV like the plots.
 */
import { csvFormatRows, format } from 'd3';
import { type DifferenceRow, differences } from '../model/compare.ts';
import type { RunData } from '../model/run.ts';
import { fileStem } from './export.ts';

const num = format('~r');
const cell = (v: number | null): string => (v === null ? '—' : num(Number(v.toPrecision(6))));
const pct = (v: number | null): string =>
  v === null ? '—' : `${v > 0 ? '+' : ''}${v.toFixed(Math.abs(v) < 10 ? 1 : 0)}%`;

export function differencesCsv(rows: readonly DifferenceRow[], a: string, b: string): string {
  const n = (v: number | null) => (v === null ? '' : String(v));
  return `${csvFormatRows([
    ['metric', a, b, 'b_minus_a', 'change_pct'],
    ...rows.map((r) => [r.metric, n(r.a), n(r.b), n(r.diff), n(r.pct)]),
  ])}\n`;
}

export function renderDifferences(doc: Document, run: RunData, compare: RunData | null): void {
  const section = doc.getElementById('compare-section');
  const body = doc.getElementById('compare-body');
  if (!section || !body) return;
  body.replaceChildren();
  section.hidden = compare === null;
  if (compare === null) return;
  const rows = differences(run.summary, compare.summary);
  const changed = rows.filter((r) => r.diff !== 0).length;
  const p = doc.createElement('p');
  p.textContent = `Summary figures (summary.json) of ${run.name} (A) and ${compare.name} (B): ${changed} of ${rows.length} differ (marked).`;
  const table = doc.createElement('table');
  table.className = 'compare-table';
  table.id = 'compare-table';
  table.setAttribute('aria-label', 'summary figures of both runs and their differences');
  const head = table.createTHead().insertRow();
  for (const h of ['figure', `A: ${run.name}`, `B: ${compare.name}`, 'B − A', 'change']) {
    const th = doc.createElement('th');
    th.textContent = h;
    head.append(th);
  }
  const tbody = table.createTBody();
  for (const r of rows) {
    const tr = tbody.insertRow();
    if (r.diff !== 0) tr.className = 'changed';
    for (const text of [r.metric, cell(r.a), cell(r.b), cell(r.diff), pct(r.pct)])
      tr.insertCell().textContent = text;
  }
  const bar = doc.createElement('div');
  bar.className = 'plot-export';
  const btn = doc.createElement('button');
  btn.type = 'button';
  btn.textContent = 'CSV';
  btn.setAttribute('aria-label', 'export the table of differences as CSV');
  btn.addEventListener('click', () => {
    const a = doc.createElement('a');
    a.href = URL.createObjectURL(
      new Blob([differencesCsv(rows, run.name, compare.name)], { type: 'text/csv;charset=utf-8' }),
    );
    a.download = `${fileStem(`${run.name}-vs-${compare.name}`)}-differences.csv`;
    doc.body.append(a);
    a.click();
    a.remove();
  });
  bar.append(btn);
  body.append(p, table, bar);
}
