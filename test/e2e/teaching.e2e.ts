/**
 * test/e2e/teaching.e2e.ts — the viewer as a lecture uses it, in headless
 * Chromium (playwright-core + Debian's chromium): the examples/teaching scenario run with
 * --events and --snapshots every:1s, then served. Checks the replay moving frames and the counts
 * drawn at three cursor times (expected counts computed here from events.jsonl and
 * snapshots.json with the viewer's own model), the decision panel of a SNEK hop listing its
 * candidates, node labels, legends, the directed snake with wrong pointers in red, absent nodes
 * drawn as such, and that at t = 0 no path is drawn over links that do not exist yet.
 * Screenshots go to a /tmp folder printed at the end. Fails (never skips) when Chromium is missing.
 */
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { type Browser, chromium, type Page } from 'playwright-core';
import { buildReport } from '../../cli/report.ts';
import { runScenarioCommand } from '../../cli/scenario.ts';
import type { PathRecord, Snapshot } from '../../results/schema.ts';
import { startViewerServer } from '../../viz/serve.ts';
import { inFlight, parseEvents } from '../../viz/src/model/replay.ts';
import { snapshotIndexAt } from '../../viz/src/model/timeline.ts';

const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const SCENARIO = join(import.meta.dirname, '..', '..', 'examples', 'teaching', 'teaching.json');
const OUT = mkdtempSync(join(tmpdir(), 'pinelab-teaching-e2e-'));

let browser: Browser;
let runDir = '';

before(async () => {
  if (!existsSync(CHROMIUM))
    assert.fail(`Chromium not found at ${CHROMIUM}: install it or set CHROMIUM_PATH (no skip).`);
  const { dir } = await runScenarioCommand(SCENARIO, {
    out: join(OUT, 'runs'),
    events: true,
    report: false,
    command: 'pinelab scenario run examples/teaching/teaching.json --events --snapshots every:1s',
    snapshots: 'every:1s',
  });
  runDir = dir as string;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--no-first-run', '--disable-background-networking'],
  });
});
after(async () => {
  await browser?.close();
  process.stdout.write(`# teaching screenshots and run in ${OUT}\n`);
});

async function open(url: string) {
  const context = await browser.newContext({ viewport: { width: 1500, height: 1100 } });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(`pageerror: ${String(e)}`));
  page.on('console', (m) => {
    if (m.type() === 'error') errors.push(`console: ${m.text()}`);
  });
  await page.goto(url);
  await page.waitForSelector('body[data-ready="1"]', { timeout: 30_000 });
  return { page, errors, close: () => context.close() };
}

const data = async (page: Page, sel: string, key: string): Promise<string> =>
  (await page.locator(sel).getAttribute(`data-${key}`)) ?? '';

/** Move the replay cursor by the slider to virtual time t (the slider maps [start, end] linearly). */
async function seek(page: Page, t: number, start: number, end: number): Promise<number> {
  const v = Math.round(((t - start) / (end - start)) * 10_000);
  await page.locator('#replay-slider').evaluate((el, value) => {
    const input = el as HTMLInputElement;
    input.value = String(value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
  }, v);
  return Number(await data(page, '#replay', 't'));
}

test('teaching run: replay, counts at three times, hop decision, labels, legend', async () => {
  const events = parseEvents(readFileSync(join(runDir, 'events.jsonl'), 'utf8'));
  const snaps = (
    JSON.parse(readFileSync(join(runDir, 'snapshots.json'), 'utf8')) as Snapshot[]
  ).sort((a, b) => a.time_s - b.time_s);
  assert.ok(snaps.length > 80, `dense snapshots: ${snaps.length}`);
  const server = await startViewerServer(runDir, {});
  const { page, errors, close } = await open(server.url);
  try {
    // The replay bar is there (events.jsonl is served) and the labels of all 12 nodes.
    assert.equal(await page.locator('#replay').isVisible(), true);
    assert.equal(await page.locator('#topology text.node-label').count(), 12);
    assert.equal(await data(page, '#topology', 'labels'), '12');
    const labels = await page.locator('#topology text.node-label').allTextContents();
    assert.deepEqual([...labels].sort(), [
      'a',
      'b',
      'c',
      'd',
      'e',
      'f',
      'g',
      'h',
      'i',
      'j',
      'k',
      'l',
    ]);
    // A legend for the tree's depth colours and the path colours.
    const legend = (await page.locator('#topo-legend').textContent()) ?? '';
    assert.match(legend, /tree depth 0(–\d| \(every node its own root yet\))/);
    assert.match(legend, /recorded path/);
    assert.match(legend, /absent/);
    assert.match(legend, /announcement frame/);

    // Three cursor times: start-up (announcements spreading), after the root left, partitioned.
    // The slider's resolution (90 s / 10,000) is coarser than a 1 ms hop: seek, then step one
    // frame, which puts the cursor half way along the next frame's link.
    for (const [i, want] of [0.3, 20.2, 50.2].entries()) {
      await seek(page, want, events.start, events.end);
      await page.getByRole('button', { name: 'step forward one frame' }).click();
      const t = Number(await data(page, '#replay', 't'));
      assert.ok(t >= want - 0.01, `${t} near ${want}`);
      const flying = inFlight(events, t);
      const frames = Number(await data(page, '#topology', 'frames'));
      assert.equal(frames, flying.length, `frames in the air at ${t}`);
      assert.equal(Number(await data(page, '#replay', 'frames')), flying.length);
      assert.equal(await page.locator('#topology circle.frame').count(), flying.length);
      const snap = snaps[Math.max(0, snapshotIndexAt(snaps, t))]!;
      // The snapshot's links, and any link a frame is in the air on (it is up now).
      const up = new Set(snap.links.map(([a, b]) => [a, b].sort().join('-')));
      for (const { flight } of flying) up.add([flight.from, flight.to].sort().join('-'));
      assert.equal(Number(await data(page, '#topology', 'links')), up.size, `links at ${t}`);
      assert.equal(
        Number(await data(page, '#topology', 'absent')),
        12 - snap.nodes.length,
        `absent nodes at ${t}`,
      );
      await page.screenshot({ path: join(OUT, `replay-${i + 1}.png`) });
      assert.ok(frames > 0, `a frame in the air at ${t}`);
    }
    // b left at 20 s: drawn as absent, not as a big ringed root.
    await seek(page, 30, events.start, events.end);
    assert.equal(await page.locator('#topology circle.node.absent[data-name="b"]').count(), 1);
    assert.equal(await page.locator('#topology circle.node.root[data-name="b"]').count(), 0);
    // Stepping one frame moves the cursor to a frame half way along its link.
    const before = Number(await data(page, '#replay', 't'));
    await page.getByRole('button', { name: 'step forward one frame' }).click();
    const after = Number(await data(page, '#replay', 't'));
    assert.ok(after > before, `${after} > ${before}`);
    assert.ok(
      Number(await data(page, '#topology', 'frames')) >= 1,
      'a frame in the air after a step',
    );
    // Play moves frames: the cursor advances.
    await page.getByRole('button', { name: 'play or pause the event replay' }).click();
    await page.waitForTimeout(600);
    await page.getByRole('button', { name: 'play or pause the event replay' }).click();
    assert.ok(Number(await data(page, '#replay', 't')) > after, 'play advanced the cursor');

    // At t = 0 (first snapshot: no link yet) no path is drawn over links that do not exist.
    await page.locator('#timeline-slider').evaluate((el) => {
      const input = el as HTMLInputElement;
      input.value = '0';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    assert.equal(await data(page, '#topology', 'links'), String(snaps[0]!.links.length));
    if (snaps[0]!.links.length === 0) {
      assert.equal(await page.locator('#topology .path-link').count(), 0);
      assert.equal(await page.locator('#topology .shortest-link').count(), 0);
    }

    // The final state: the snake as directed arcs with arrowheads.
    await page.locator('#timeline-slider').evaluate((el) => {
      const input = el as HTMLInputElement;
      input.value = input.max;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.getByLabel('show snake overlay').check();
    const arcs = await page.locator('#topology path.snake-link').count();
    assert.equal(String(arcs), await data(page, '#topology', 'snake-links'));
    assert.ok(arcs > 0);
    assert.equal(
      await page.locator('#topology path.snake-link[marker-end]').count(),
      arcs,
      'every pointer has an arrowhead',
    );
    assert.equal(
      await page.locator('#topology path.snake-link.wrong').count(),
      Number(await data(page, '#topology', 'wrong-snake')),
    );

    // Explain one SNEK hop: a recorded SNEK path with at least two hops, its first hop clicked.
    const paths = JSON.parse(readFileSync(join(runDir, 'paths.json'), 'utf8')) as PathRecord[];
    const rec = paths.find((p) => p.mode === 'snek' && p.hops.length >= 3 && p.hops[0]?.decision);
    assert.ok(rec, 'a SNEK path of 2+ hops with decisions');
    await page.getByLabel('path source node name').fill(rec.source);
    await page.getByLabel('path destination node name').fill(rec.destination);
    await page.getByLabel('routing mode of the shown path').selectOption('snek');
    await page.locator('#hop-list li').first().click();
    const want = rec.hops[0]!.decision!;
    assert.equal(await page.locator('#decision').isVisible(), true);
    assert.equal(await data(page, '#decision', 'candidates'), String(want.candidates.length));
    assert.equal(await data(page, '#decision', 'winner'), want.winner.node);
    assert.equal(
      await page.locator('#decision tr.cand').count(),
      want.candidates.length,
      'one row per candidate',
    );
    const firstRow = (await page.locator('#decision tr.cand').first().textContent()) ?? '';
    const c0 = want.candidates[0]!;
    assert.ok(firstRow.includes(c0.step) && firstRow.includes(c0.node ?? ''), firstRow);
    // Names first, keys on hover.
    const title = (await page.locator('#decision tr.cand td').nth(1).getAttribute('title')) ?? '';
    assert.match(title, /^key [0-9a-f]{64}$/);
    assert.equal(await page.locator('#decision tr.winner').count(), 1);
    // Hop reasons name nodes, not bare key prefixes.
    const hops = await page.locator('#hop-list li').allTextContents();
    for (const h of hops)
      if (/\b[0-9a-f]{4}…/.test(h)) assert.match(h, /, towards [a-l]: /, `names first: ${h}`);
    await page.locator('#decision').scrollIntoViewIfNeeded();
    await page.screenshot({ path: join(OUT, 'decision.png'), fullPage: true });
    assert.deepEqual(errors, []);
  } finally {
    await close();
    await server.close();
  }
});

test('teaching report: one offline file with the replay and the decisions', async () => {
  const file = join(OUT, 'teaching-report.html');
  writeFileSync(file, await buildReport(runDir));
  const { page, errors, close } = await open(`file://${file}`);
  try {
    // events.jsonl of this small run is embedded (cli/report.ts EVENTS_INLINE_UP_TO).
    assert.equal(await page.locator('#replay').isVisible(), true);
    await page.getByRole('button', { name: 'step forward one frame' }).click();
    assert.ok(Number(await data(page, '#topology', 'frames')) >= 1);
    await page.locator('#hop-list li').first().click();
    assert.ok(Number(await data(page, '#decision', 'candidates')) > 0);
    assert.deepEqual(errors, []);
  } finally {
    await close();
  }
});
