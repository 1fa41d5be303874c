/**
 * viz/src/views/export.ts — figures out of the page, for papers and slides: every plot
 * exports as SVG (standalone: plot.ts writes fonts and colours as attributes), PNG (the SVG drawn
 * on a canvas at 2× for print) and CSV (the table behind the plot, registered by the chart that
 * drew it). Buttons sit under each plot; files are named after the run and the plot.
 */
import { csvFormatRows } from 'd3';

type Cell = string | number;

const tables = new WeakMap<SVGSVGElement, { header: string[]; rows: Cell[][] }>();

/** Record the data a chart drew (its CSV export); a redraw replaces it. */
export function setPlotTable(svg: SVGSVGElement, header: string[], rows: Cell[][]): void {
  tables.set(svg, { header, rows });
}

/** The CSV behind a plot: a header line, then one row per drawn value; '' when nothing drawn. */
export function plotCsv(svg: SVGSVGElement): string {
  const t = tables.get(svg);
  if (!t) return '';
  return `${csvFormatRows([t.header, ...t.rows.map((r) => r.map((c) => (typeof c === 'number' ? String(c) : c)))])}\n`;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** The plot as a standalone SVG document: namespace, pixel size from its viewBox, no page CSS needed. */
export function svgMarkup(svg: SVGSVGElement): string {
  const clone = svg.cloneNode(true) as SVGSVGElement;
  const [, , w, h] = (svg.getAttribute('viewBox') ?? '0 0 460 300').split(/\s+/).map(Number);
  clone.setAttribute('xmlns', SVG_NS);
  clone.setAttribute('version', '1.1');
  clone.setAttribute('width', String(w));
  clone.setAttribute('height', String(h));
  clone.removeAttribute('style');
  clone.removeAttribute('class');
  const xml = new XMLSerializer().serializeToString(clone);
  return `<?xml version="1.0" encoding="UTF-8"?>\n${xml}\n`;
}

/** PNG of the plot at `scale` × its viewBox size (2× by default: 920 px wide, print quality). */
export async function pngBlob(svg: SVGSVGElement, scale = 2): Promise<Blob> {
  const [, , w = 460, h = 300] = (svg.getAttribute('viewBox') ?? '').split(/\s+/).map(Number);
  const url = URL.createObjectURL(new Blob([svgMarkup(svg)], { type: 'image/svg+xml' }));
  try {
    const img = new Image();
    img.src = url;
    await img.decode();
    const canvas = document.createElement('canvas');
    canvas.width = Math.round(w * scale);
    canvas.height = Math.round(h * scale);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new Error('no 2d canvas');
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
    return await new Promise<Blob>((ok, fail) =>
      canvas.toBlob((b) => (b ? ok(b) : fail(new Error('PNG encoding failed'))), 'image/png'),
    );
  } finally {
    URL.revokeObjectURL(url);
  }
}

function download(doc: Document, name: string, blob: Blob): void {
  const a = doc.createElement('a');
  a.href = URL.createObjectURL(blob);
  a.download = name;
  doc.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(a.href), 10_000);
}

/**
 * A CSV button for a table (the table of differences), in a bar like the plots' buttons: `csv` is
 * built at click time and saved as `name`; `what` names the table in the button's label.
 */
export function tableCsvControls(
  doc: Document,
  what: string,
  name: string,
  csv: () => string,
): HTMLDivElement {
  const bar = doc.createElement('div');
  bar.className = 'plot-export';
  const btn = doc.createElement('button');
  btn.type = 'button';
  btn.textContent = 'CSV';
  btn.setAttribute('aria-label', `export ${what} as CSV`);
  btn.addEventListener('click', () =>
    download(doc, name, new Blob([csv()], { type: 'text/csv;charset=utf-8' })),
  );
  bar.append(btn);
  return bar;
}

/** A file name part: letters, digits, dot, dash and underscore only. */
export function fileStem(s: string): string {
  return s.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'plot';
}

/**
 * SVG / PNG / CSV buttons under a plot (once per plot; they export what is drawn at click time).
 * `what` names the plot in the buttons' labels; files are `<stem>.svg|png|csv`.
 */
export function addExportControls(doc: Document, svg: SVGSVGElement, stem: string): void {
  if (svg.dataset['exportable'] === '1') return;
  svg.dataset['exportable'] = '1';
  const what = svg.getAttribute('aria-label') ?? svg.id;
  const bar = doc.createElement('div');
  bar.className = 'plot-export';
  bar.dataset['for'] = svg.id;
  const button = (label: string, run: () => Promise<void> | void): void => {
    const b = doc.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.setAttribute('aria-label', `export ${what} as ${label}`);
    b.addEventListener('click', () => {
      Promise.resolve(run()).catch((e: unknown) => {
        b.title = `export failed: ${(e as Error).message}`;
      });
    });
    bar.append(b);
  };
  button('SVG', () =>
    download(doc, `${stem}.svg`, new Blob([svgMarkup(svg)], { type: 'image/svg+xml' })),
  );
  button('PNG', async () => download(doc, `${stem}.png`, await pngBlob(svg)));
  button('CSV', () =>
    download(doc, `${stem}.csv`, new Blob([plotCsv(svg)], { type: 'text/csv;charset=utf-8' })),
  );
  // The plot and its buttons stay one grid cell: wrap a bare <svg> in a <figure>.
  const parent = svg.parentElement;
  if (parent?.classList.contains('plots')) {
    const fig = doc.createElement('figure');
    fig.className = 'plot-figure';
    parent.insertBefore(fig, svg);
    fig.append(svg, bar);
  } else svg.after(bar);
}
