/**
 * viz/src/views/compare.ts — the table of differences under the plots when two runs are
 * compared: every numeric summary figure of A and B, B − A and the change in %, changed rows
 * marked; exportable as CSV like the plots.
 */
import { csvFormatRows, format } from 'd3';
import { type DifferenceRow, differences } from '../model/compare.ts';
import type { RunData } from '../model/run.ts';
import { fileStem, tableCsvControls } from './export.ts';

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
  const table = differenceTable(
    doc,
    'summary figures of both runs and their differences',
    ['figure', `A: ${run.name}`, `B: ${compare.name}`, 'B − A', 'change'],
    rows.map((r) => ({
      changed: r.diff !== 0,
      cells: [r.metric, cell(r.a), cell(r.b), cell(r.diff), pct(r.pct)],
    })),
  );
  const bar = tableCsvControls(
    doc,
    'the table of differences',
    `${fileStem(`${run.name}-vs-${compare.name}`)}-differences.csv`,
    () => differencesCsv(rows, run.name, compare.name),
  );
  body.append(p, table, bar);
}

/**
 * The compare section's table (#compare-table): a header row, then one row per entry, the rows
 * whose values differ marked `changed`. Used by the run and the sweep compare views.
 */
export function differenceTable(
  doc: Document,
  label: string,
  header: readonly string[],
  rows: readonly { readonly changed: boolean; readonly cells: readonly string[] }[],
): HTMLTableElement {
  const table = doc.createElement('table');
  table.className = 'compare-table';
  table.id = 'compare-table';
  table.setAttribute('aria-label', label);
  const head = table.createTHead().insertRow();
  for (const h of header) {
    const th = doc.createElement('th');
    th.textContent = h;
    head.append(th);
  }
  const tbody = table.createTBody();
  for (const r of rows) {
    const tr = tbody.insertRow();
    if (r.changed) tr.className = 'changed';
    for (const text of r.cells) tr.insertCell().textContent = text;
  }
  return table;
}
