/**
 * test/e2e/viewer.e2e.ts — the viewer in headless Chromium (playwright-core + Debian's chromium):
 * served run, report file opened offline, missing optional files, run comparison, canvas mode,
 * and the first-render time of a synthetic 10,000-node run. Expectations are computed from the
 * fixture's own files (results/schema.ts fields only), so a real run can replace the fixture.
 * Fails (never skips) when Chromium is missing.
 */
import assert from 'node:assert/strict';
import { copyFileSync, existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { buildReport } from '../../cli/report.ts';
import type { PathRecord, Snapshot, TopologyFile } from '../../results/schema.ts';
import { writeFileAtomic } from '../../results/write.ts';
import { makeFixture } from '../../scripts/make-viz-fixture.ts';
import { startViewerServer } from '../../viz/serve.ts';
import { parseNodes } from '../../viz/src/model/csv.ts';
import { buildGraph, stateFromNodes, stateFromSnapshot } from '../../viz/src/model/graph.ts';
import { keyspaceModel } from '../../viz/src/model/keyspace.ts';

const FIXTURE = join(import.meta.dirname, '..', 'fixtures', 'run-small');
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const OUT = mkdtempSync(join(tmpdir(), 'pinelab-viewer-e2e-'));

const readJson = <T>(dir: string, f: string): T =>
  JSON.parse(readFileSync(join(dir, f), 'utf8')) as T;
const topo = readJson<TopologyFile>(FIXTURE, 'topology.json');
const nodes = parseNodes(readFileSync(join(FIXTURE, 'nodes.csv'), 'utf8'));
const withParent = nodes.filter((n) => n.parent !== '').length;
const withDescending = nodes.filter((n) => n.descending !== '').length;
const graph = buildGraph(topo);

let browser: Browser;

before(async () => {
  if (!existsSync(CHROMIUM)) {
    assert.fail(
      `Chromium not found at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH. The viewer e2e test does not skip.`,
    );
  }
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
});
after(async () => {
  await browser?.close();
  process.stdout.write(`# screenshots in ${OUT}\n`);
});

/** A page that records page errors, console errors and any request leaving 127.0.0.1/file. */
async function open(url: string, opts: { offline?: boolean } = {}) {
  const context = await browser.newContext({ viewport: { width: 1400, height: 1000 } });
  if (opts.offline) await context.setOffline(true);
  const page = await context.newPage();
  const errors: string[] = [];
  const external: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${String(e)}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  page.on('request', (r) => {
    const u = r.url();
    if (!u.startsWith('file:') && !u.startsWith('http://127.0.0.1') && !u.startsWith('data:'))
      external.push(u);
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
  return { page, errors, external, close: () => context.close() };
}

const count = (page: Page, sel: string): Promise<number> => page.locator(sel).count();
const attr = async (page: Page, sel: string, name: string): Promise<string> =>
  (await page.getAttribute(sel, name)) ?? '';

async function checkPlots(page: Page, convergenceSeries: number): Promise<void> {
  for (const id of ['plot-convergence', 'plot-stretch', 'plot-overhead']) {
    const ds = await page
      .locator(`#${id} path.series`)
      .evaluateAll((els) => els.map((e) => e.getAttribute('d') ?? ''));
    assert.ok(ds.length > 0, `#${id} has series paths`);
    for (const d of ds) assert.match(d, /^M[\d.-]+,[\d.-]+L/, `#${id} series path has data`);
    assert.ok((await count(page, `#${id} .tick`)) > 4, `#${id} has axis ticks`);
    assert.ok((await count(page, `#${id} .axis-label`)) >= 2, `#${id} has axis labels`);
  }
  assert.equal(await count(page, '#plot-convergence path.series'), convergenceSeries);
  // Overhead is per virtual second, in frames, with a bytes toggle when the run has bytes.
  const overheadText = (await page.locator('#plot-overhead').textContent()) ?? '';
  assert.match(overheadText, /frames per second \(virtual\)/);
  // The fixture has a table_installs series: drawn dashed beside the frames, not in bytes.
  assert.match(overheadText, /table installs/);
  if (!(await page.locator('#overhead-unit').isDisabled())) {
    await page.getByLabel('control overhead unit').selectOption('bytes');
    assert.match(
      (await page.locator('#plot-overhead').textContent()) ?? '',
      /bytes per second \(virtual\)/,
    );
    assert.ok((await count(page, '#plot-overhead path.series')) > 0);
    await page.getByLabel('control overhead unit').selectOption('frames');
  }
  assert.ok((await count(page, '#plot-tables rect.bar')) > 0, 'table-size histogram has bars');
}

test('served viewer: counts, overlays, path explorer, selection, timeline, plots', async () => {
  const server = await startViewerServer(FIXTURE, {});
  const { page, errors, external, close } = await open(server.url);
  try {
    assert.equal(await attr(page, '#topology', 'data-mode'), 'svg');
    assert.equal(await count(page, '#topology circle.node'), topo.nodes.length);
    assert.equal(await count(page, '#topology line.link'), topo.links.length);
    assert.equal(await attr(page, '#topology', 'data-nodes'), String(topo.nodes.length));
    assert.equal(await attr(page, '#topology', 'data-links'), String(topo.links.length));
    assert.equal(
      await count(page, '#topology circle.node.root'),
      nodes.filter((n) => n.root === n.key).length,
    );

    // Overlays: tree on by default, snake off.
    assert.equal(await count(page, '.tree-link'), withParent);
    assert.equal(await count(page, '.snake-link'), 0);
    await page.getByLabel('show spanning tree overlay').uncheck();
    assert.equal(await count(page, '.tree-link'), 0);
    await page.getByLabel('show snake overlay').check();
    assert.equal(await count(page, '.snake-link'), withDescending);
    assert.equal(await attr(page, '#topology', 'data-snake-links'), String(withDescending));
    await page.getByLabel('colour nodes by key order').check();
    const fills = await page
      .locator('#topology circle.node')
      .evaluateAll((els) => new Set(els.map((e) => e.getAttribute('fill'))).size);
    assert.equal(fills, topo.nodes.length, 'key-order colouring gives every node its own colour');
    await page.getByLabel('show spanning tree overlay').check();

    // Path explorer between two named nodes, for a recorded path with several hops.
    const paths = readJson<PathRecord[]>(FIXTURE, 'paths.json');
    const rec = [...paths].sort((a, b) => b.hops.length - a.hops.length)[0]!;
    await page.getByLabel('path source node name').fill(rec.source);
    await page.getByLabel('path destination node name').fill(rec.destination);
    await page.getByLabel('routing mode of the shown path').selectOption(rec.mode);
    assert.equal(await count(page, '#hop-list li'), rec.hops.length);
    const hops = await page.locator('#hop-list li').allTextContents();
    rec.hops.forEach((h, i) => {
      assert.ok(
        hops[i]!.includes(h.node) && hops[i]!.includes(h.reason),
        `hop ${i + 1} shows node and reason`,
      );
    });
    assert.equal(await count(page, '#shortest-list li'), rec.shortest.length);
    assert.equal(await count(page, '#topology line.path-link'), rec.hops.length - 1);
    assert.equal(await count(page, '#topology line.shortest-link'), rec.shortest.length - 1);
    // The key-space view draws the same path below its axis, one arc per hop.
    assert.equal(await count(page, '#keyspace path.path-arc'), rec.hops.length - 1);
    assert.ok((await count(page, '#path-summary tr')) >= 2);

    // Click selection is shared with the key-space view.
    const pick = topo.nodes[topo.nodes.length - 1]!.name;
    await page.locator(`#topology circle.node[data-name="${pick}"]`).click();
    assert.equal(await attr(page, '#topology', 'data-selected'), pick);
    assert.equal(await attr(page, '#keyspace', 'data-selected'), pick);
    assert.equal(await count(page, '#keyspace circle.key-node.selected'), 1);
    assert.equal(await page.getByLabel('path source node name').inputValue(), pick);
    assert.equal(await count(page, '#keyspace path.snake-arc'), withDescending);
    // Wrong descending pointers (not the true predecessor in the component) are marked.
    const finalKs = keyspaceModel(graph, stateFromNodes(graph, nodes));
    assert.equal(await attr(page, '#keyspace', 'data-wrong'), String(finalKs.wrong));
    assert.equal(
      await count(page, '#keyspace path.snake-arc.wrong'),
      finalKs.arcs.filter((a) => a.wrong).length,
    );
    // Every arc is visible: at least UP_MIN pixels high even between adjacent keys.
    const heights = await page
      .locator('#keyspace path.snake-arc')
      .evaluateAll((els) => els.map((e) => (e as SVGPathElement).getBBox().height));
    assert.ok(
      heights.every((h) => h >= 8),
      `every key-space arc is at least 8 px high (min ${Math.min(...heights)})`,
    );
    // The selected node's own pointers are emphasised.
    const pickIdx = graph.index.get(pick)!;
    assert.equal(
      await count(page, '#keyspace path.snake-arc.selected'),
      finalKs.arcs.filter((a) => a.from === pickIdx || a.to === pickIdx).length,
    );

    // Timeline: ← steps back from the final state to the last snapshot; overlays follow it.
    const snaps = readJson<Snapshot[]>(FIXTURE, 'snapshots.json').sort(
      (a, b) => a.time_s - b.time_s,
    );
    if (snaps.length > 0) {
      await page.locator('body').focus();
      await page.locator('#help').click();
      await page.keyboard.press('ArrowLeft');
      const last = snaps[snaps.length - 1]!;
      assert.equal(
        await attr(page, '#topology', 'data-tree-links'),
        String(last.nodes.filter((n) => n.parent).length),
      );
      assert.equal(await attr(page, '#topology', 'data-links'), String(last.links.length));
      await page.getByLabel('timeline position (snapshot)').fill('0');
      const firstSnap = snaps[0]!;
      assert.equal(
        await attr(page, '#topology', 'data-tree-links'),
        String(firstSnap.nodes.filter((n) => n.parent).length),
      );
      const firstKs = keyspaceModel(graph, stateFromSnapshot(graph, firstSnap));
      assert.equal(await attr(page, '#keyspace', 'data-wrong'), String(firstKs.wrong));
      assert.equal(await attr(page, '#keyspace', 'data-missing'), String(firstKs.missing.length));
      assert.match(
        (await page.locator('#timeline-label').textContent()) ?? '',
        new RegExp(`t = ${firstSnap.time_s} s`),
      );
      await page.keyboard.press('ArrowRight');
      assert.match((await page.locator('#timeline-label').textContent()) ?? '', /^2\//);
      await page.locator('#help').click();
      await page.keyboard.press('Space');
      assert.equal(await attr(page, '#play', 'aria-pressed'), 'true');
      await page.keyboard.press('Space');
      assert.equal(await attr(page, '#play', 'aria-pressed'), 'false');
    }

    await checkPlots(page, 2);
    await page.screenshot({ path: join(OUT, 'viewer.png'), fullPage: true });
    assert.deepEqual(errors, []);
    assert.deepEqual(external, []);
  } finally {
    await close();
    await server.close();
  }
});

test('report: one self-contained file that renders offline from file://', async () => {
  const html = await buildReport(FIXTURE);
  assert.doesNotMatch(html, /<script[^>]*\bsrc\s*=/i, 'no external script tags');
  assert.doesNotMatch(html, /<link[^>]*\bhref\s*=\s*["']?https?:/i, 'no external stylesheets');
  assert.doesNotMatch(html, /\bimport\s*\(\s*["']https?:/i, 'no remote dynamic imports');
  const file = join(OUT, 'report.html');
  writeFileAtomic(file, html);
  const { page, errors, external, close } = await open(`file://${file}`, { offline: true });
  try {
    assert.equal(await count(page, '#topology circle.node'), topo.nodes.length);
    assert.equal(await count(page, '#topology line.link'), topo.links.length);
    await checkPlots(page, 2);
    await page.screenshot({ path: join(OUT, 'report.png'), fullPage: true });
    assert.deepEqual(errors, []);
    assert.deepEqual(external, []);
  } finally {
    await close();
  }
});

test('missing paths.json, snapshots.json and pairs.csv: notes, not errors', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-partial-'));
  for (const f of [
    'manifest.json',
    'summary.json',
    'topology.json',
    'nodes.csv',
    'timeseries.csv',
  ]) {
    copyFileSync(join(FIXTURE, f), join(dir, f));
  }
  const server = await startViewerServer(dir, {});
  const { page, errors, close } = await open(server.url);
  try {
    const notes = await page.locator('#notes li').allTextContents();
    for (const f of ['paths.json', 'snapshots.json', 'pairs.csv']) {
      assert.ok(
        notes.some((n) => n.includes(f)),
        `a note names ${f}`,
      );
    }
    assert.equal(await count(page, '#topology circle.node'), topo.nodes.length);
    assert.ok(await page.locator('#timeline-slider').isDisabled());
    // The path explorer still works: shortest path by BFS.
    await page.getByLabel('path source node name').fill(topo.links[0]!.source);
    await page.getByLabel('path destination node name').fill(topo.links[0]!.target);
    assert.equal(await count(page, '#shortest-list li'), 2);
    assert.equal(await count(page, '#hop-list li'), 0);
    assert.match((await page.locator('#plot-stretch').textContent()) ?? '', /no delivered pairs/);
    assert.deepEqual(errors, []);
  } finally {
    await close();
    await server.close();
  }
});

test('comparison run overlays a second set of curves', async () => {
  const other = mkdtempSync(join(tmpdir(), 'pinelab-compare-'));
  makeFixture(other, { nodes: 20, seed: 'compare-b', positions: false });
  const server = await startViewerServer(FIXTURE, { compareDir: other });
  const { page, errors, close } = await open(server.url);
  try {
    await checkPlots(page, 4);
    assert.equal(await count(page, '#plot-convergence path.series[stroke-dasharray]'), 2);
    assert.ok((await count(page, '#plot-stretch path.series[stroke-dasharray]')) >= 1);
    assert.deepEqual(errors, []);
  } finally {
    await close();
    await server.close();
  }
});

test('recorded positions: the timeline glides nodes to each snapshot position', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-xy-'));
  makeFixture(dir, { nodes: 30, seed: 'xy', positions: true });
  const snaps = readJson<Snapshot[]>(dir, 'snapshots.json');
  const server = await startViewerServer(dir, {});
  const { page, errors, close } = await open(server.url);
  try {
    const cx = () =>
      page.locator('#topology circle.node[data-name="n1"]').getAttribute('cx').then(Number);
    const atFinal = await cx();
    await page.getByLabel('timeline position (snapshot)').fill('0');
    await page.waitForTimeout(700);
    const atFirst = await cx();
    const n1 = (s: Snapshot) => s.nodes.find((n) => n.name === 'n1')!;
    const expected =
      atFinal + (n1(snaps[0]!).x! - n1(snaps[snaps.length - 1]!).x!) * (await scale(page));
    assert.ok(
      Math.abs(atFirst - expected) < 0.5,
      `n1 moved to its first-snapshot position (${atFirst} vs ${expected})`,
    );
    assert.deepEqual(errors, []);
  } finally {
    await close();
    await server.close();
  }
});

/** Pixels per topology unit of the SVG drawing (before zoom). */
const scale = async (page: Page): Promise<number> =>
  Number(await attr(page, '#topology', 'data-scale'));

test('canvas above 1000 nodes; first render of 10,000 nodes is timed', async () => {
  for (const [n, positions] of [
    [1500, false],
    [10_000, false],
    [10_000, true],
  ] as const) {
    const dir = mkdtempSync(join(tmpdir(), `pinelab-big-${n}-`));
    makeFixture(dir, { nodes: n, seed: `big-${n}`, positions });
    const server = await startViewerServer(dir, {});
    const t0 = performance.now();
    const { page, errors, close } = await open(server.url);
    const wall = performance.now() - t0;
    try {
      assert.equal(await attr(page, '#topology', 'data-mode'), 'canvas');
      assert.equal(await attr(page, '#topology', 'data-nodes'), String(n));
      assert.equal(await count(page, '#topology canvas'), 1);
      assert.equal(await count(page, '#topology circle'), 0);
      assert.equal(await attr(page, '#keyspace', 'data-mode'), 'canvas');
      assert.equal(await count(page, '#keyspace canvas'), 1);
      assert.equal(await count(page, '#keyspace circle'), 0);
      const ms = Number(await attr(page, 'body', 'data-render-ms'));
      process.stdout.write(
        `# ${n} nodes${positions ? ' (recorded x,y)' : ' (force layout)'}: first render ${ms} ms in page (${await attr(page, 'body', 'data-timing')}), ${Math.round(wall)} ms goto→ready\n`,
      );
      // Pan/zoom: a wheel zoom must redraw within a frame budget.
      const box = await page.locator('#topology canvas').boundingBox();
      assert.ok(box);
      await page.mouse.move(box.x + box.width / 2, box.y + box.height / 2);
      const z0 = performance.now();
      for (let i = 0; i < 5; i++) await page.mouse.wheel(0, -120);
      await page.evaluate(
        () => new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(r))),
      );
      const drawMs = Number(await attr(page, '#topology', 'data-draw-ms'));
      process.stdout.write(
        `# ${n} nodes: 5 wheel zooms redrawn in ${Math.round(performance.now() - z0)} ms; one canvas frame ${drawMs} ms\n`,
      );
      assert.ok(drawMs > 0 && drawMs < 200, `a zoom frame took ${drawMs} ms`);
      if (n === 10_000)
        await page.screenshot({ path: join(OUT, `canvas-${n}${positions ? '-xy' : ''}.png`) });
      assert.ok(ms < 10_000, `first render took ${ms} ms`);
      assert.deepEqual(errors, []);
    } finally {
      await close();
      await server.close();
    }
  }
});
