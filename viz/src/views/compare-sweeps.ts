/**
 * viz/src/views/compare-sweeps.ts — the compare view of two sweeps (`pinelab view A
 * --compare B` / `pinelab report A --compare B` with sweep folders): per metric, the distribution
 * of A's and B's runs side by side (box plots with every run as a dot), one box pair per grid
 * point; then the table of mean differences with their 95% CI and permutation p-value
 * (results/compare-groups.ts, as `pinelab compare` prints them). The run views (topology, paths,
 * timeline) have no meaning for a set of runs and are hidden.
 */
import { csvFormatRows, format } from 'd3';
import { type SweepPair, sweepDistributions } from '../model/compare.ts';
import { differenceTable } from './compare.ts';
import { addExportControls, fileStem, tableCsvControls } from './export.ts';
import { boxStrip } from './plot.ts';

const COLOUR_A = '#4a74b5';
const COLOUR_B = '#c0612b';
const num = format('~r');
const cell = (v: number | null): string => (v === null ? '—' : num(Number(v.toPrecision(5))));

export function renderSweepCompare(doc: Document, pair: SweepPair): void {
  for (const sel of ['.grid', '#help']) {
    const el = doc.querySelector(sel);
    // `hidden` loses to .grid's display: grid; an inline style does not.
    if (el instanceof HTMLElement) el.style.display = 'none';
  }
  const info = doc.getElementById('run-info');
  if (info)
    info.textContent = `sweep ${pair.a.name} (A, ${pair.a.runs.length} runs) compared with sweep ${pair.b.name} (B, ${pair.b.runs.length} runs, hollow)${pair.gridParams.length > 0 ? ` · grid: ${pair.gridParams.join(', ')}` : ''}`;
  const plots = doc.querySelector('.plots');
  if (!(plots instanceof HTMLElement)) throw new Error('index.html lacks .plots');
  plots.replaceChildren();
  plots.id = 'sweep-plots';
  const dist = sweepDistributions(pair);
  const stem = fileStem(`${pair.a.name}-vs-${pair.b.name}`);
  dist.metrics.forEach(({ metric, a, b }, i) => {
    const svg = doc.createElementNS('http://www.w3.org/2000/svg', 'svg');
    svg.id = `sweep-plot-${i}`;
    svg.classList.add('sweep-plot');
    svg.dataset['metric'] = metric;
    svg.setAttribute('aria-label', `distribution of ${metric} over the runs of both sweeps`);
    plots.append(svg);
    const unit = pair.rows.find((r) => r.metric === metric)?.unit ?? '';
    boxStrip(
      svg,
      metric,
      unit === '' ? metric : `${metric} (${unit})`,
      dist.points,
      [
        { name: `A: ${pair.a.name}`, colour: COLOUR_A, values: a },
        { name: `B: ${pair.b.name}`, colour: COLOUR_B, hollow: true, values: b },
      ],
      'no values',
    );
    addExportControls(doc, svg, `${stem}-${fileStem(metric)}`);
  });
  renderSweepTable(doc, pair, stem);
}

function renderSweepTable(doc: Document, pair: SweepPair, stem: string): void {
  const section = doc.getElementById('compare-section');
  const body = doc.getElementById('compare-body');
  if (!section || !body) return;
  section.hidden = false;
  body.replaceChildren();
  const p = doc.createElement('p');
  p.textContent =
    'Per grid point and metric: the means over runs, B − A with its 95% bootstrap CI and the two-sided permutation p-value (as pinelab compare A B prints them).';
  const table = differenceTable(
    doc,
    'mean differences between the two sweeps',
    ['grid point', 'metric', 'mean A', 'mean B', 'B − A', '95% CI', 'p'],
    pair.rows.map((r) => ({
      changed: r.diff !== null && r.diff !== 0,
      cells: [
        r.point,
        r.unit === '' ? r.metric : `${r.metric} (${r.unit})`,
        cell(r.meanA),
        cell(r.meanB),
        cell(r.diff),
        r.diffCiLow === null || r.diffCiHigh === null
          ? '—'
          : `${cell(r.diffCiLow)} … ${cell(r.diffCiHigh)}`,
        r.p.toPrecision(2),
      ],
    })),
  );
  const bar = tableCsvControls(doc, 'the table of differences', `${stem}-differences.csv`, () => {
    const n = (v: number | null) => (v === null ? '' : String(v));
    return `${csvFormatRows([
      ['point', 'metric', 'unit', 'mean_a', 'mean_b', 'b_minus_a', 'ci_low', 'ci_high', 'p'],
      ...pair.rows.map((r) => [
        r.point,
        r.metric,
        r.unit,
        n(r.meanA),
        n(r.meanB),
        n(r.diff),
        n(r.diffCiLow),
        n(r.diffCiHigh),
        String(r.p),
      ]),
    ])}\n`;
  });
  body.append(p, table, bar);
}
