/**
 * viz/src/main.ts — the viewer page: loads one run (and optionally a second to compare), builds
 * the view models and wires the views together. The selection (clicked node), the path pair and
 * the timeline position are shared state; every change re-renders the affected views.
 * Sets body[data-ready="1"] after the first full render (the e2e test waits for it) and
 * body[data-render-ms] with the time that took.
 */
import type { RoutingMode, Snapshot } from '../../results/schema.ts';
import { loadSources } from './load.ts';
import {
  buildGraph,
  layout,
  type NetState,
  stateFromNodes,
  stateFromSnapshot,
  UNKNOWN_NODE,
} from './model/graph.ts';
import { modeLabel } from './model/modes.ts';
import { indexPaths, MODES } from './model/paths.ts';
import { inFlight, stateAt as replayStateAt } from './model/replay.ts';
import { parseRun, runInfo } from './model/run.ts';
import { interpolatePositions, snapshotIndexAt, step } from './model/timeline.ts';
import { renderCharts } from './views/charts.ts';
import { renderSweepCompare } from './views/compare-sweeps.ts';
import { renderDecision } from './views/decision.ts';
import { KeyspaceView } from './views/keyspace.ts';
import { renderPath } from './views/path.ts';
import { ReplayView } from './views/replay.ts';
import {
  type Highlight,
  type Overlays,
  renderTopologyLegend,
  TopologyView,
} from './views/topology.ts';

const $ = <T extends HTMLElement>(id: string): T => {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html lacks #${id}`);
  return el as T;
};

async function main(): Promise<void> {
  const t0 = performance.now();
  const src = await loadSources(document);
  if (src.sweeps) {
    // Two sweeps compared: distributions per metric, no single run to draw.
    renderSweepCompare(document, src.sweeps);
    document.body.dataset['renderMs'] = String(Math.round(performance.now() - t0));
    document.body.dataset['ready'] = '1';
    return;
  }
  const run = parseRun(src.run, src.runName);
  const compare = src.compare ? parseRun(src.compare, src.compareName ?? 'compare') : null;
  // Snapshot x,y are used only when topology.json records positions too: then both are in the
  // same coordinate space (a force layout's space is the viewer's own and would not match).
  const recorded = run.topology.nodes.every((n) => n.x !== undefined && n.y !== undefined);
  const t1 = performance.now();
  const g = buildGraph(run.topology);
  layout(g);
  const t2 = performance.now();

  const finalState = stateFromNodes(g, run.nodes);
  if (run.nodes.length === 0) finalState.present.fill(1);
  const snaps = run.snapshots ?? [];
  const states = new Map<number, NetState>();
  const stateAt = (pos: number): NetState => {
    if (pos >= snaps.length) return finalState;
    let st = states.get(pos);
    if (!st) {
      st = stateFromSnapshot(g, snaps[pos]!);
      states.set(pos, st);
    }
    return st;
  };

  $('run-info').textContent = runInfo(run, compare);
  const notes = [...run.notes, ...(compare?.notes ?? [])];
  const notesEl = $('notes');
  for (const n of notes) {
    const li = document.createElement('li');
    li.textContent = n;
    notesEl.append(li);
  }

  const ui = {
    selected: -1,
    source: -1,
    destination: -1,
    mode: 'snek' as RoutingMode,
    pos: snaps.length, // the final state
    playing: 0,
    /** The hop shown in the decision panel (-1: none) and the pair it belongs to. */
    hop: -1,
    hopPair: '',
    /** Replay cursor (virtual s) while the replay drives the views; null: the snapshot timeline. */
    replayT: null as number | null,
  };
  const overlays: Overlays = { tree: true, snake: false, keyColour: false };
  const pathIdx = run.paths ? indexPaths(run.paths) : null;
  const first = run.paths?.[0];
  if (first) {
    ui.source = g.index.get(first.source) ?? -1;
    ui.destination = g.index.get(first.destination) ?? -1;
    ui.mode = first.mode;
  }

  const onNode = (i: number, shift: boolean): void => {
    ui.selected = i;
    if (shift) ui.destination = i;
    else ui.source = i;
    syncPathInputs();
    update();
  };
  const topo = new TopologyView($('topology'), g, onNode);
  const keys = new KeyspaceView($('keyspace'), g, onNode);

  // Path explorer controls.
  const names = $('node-names');
  const frag = document.createDocumentFragment();
  for (const n of [...g.nodes].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const o = document.createElement('option');
    o.value = n.name;
    frag.append(o);
  }
  names.append(frag);
  const srcIn = $<HTMLInputElement>('path-src');
  const dstIn = $<HTMLInputElement>('path-dst');
  const modeSel = $<HTMLSelectElement>('path-mode');
  for (const m of MODES) {
    const o = document.createElement('option');
    o.value = m;
    o.textContent = modeLabel(m);
    modeSel.append(o);
  }
  const syncPathInputs = (): void => {
    srcIn.value = ui.source >= 0 ? g.nodes[ui.source]!.name : '';
    dstIn.value = ui.destination >= 0 ? g.nodes[ui.destination]!.name : '';
    modeSel.value = ui.mode;
  };
  syncPathInputs();
  const onName = (input: HTMLInputElement, which: 'source' | 'destination'): void => {
    const i = g.index.get(input.value.trim());
    input.setAttribute('aria-invalid', i === undefined && input.value !== '' ? 'true' : 'false');
    if (i === undefined) return;
    ui[which] = i;
    ui.selected = i;
    update();
  };
  srcIn.addEventListener('change', () => onName(srcIn, 'source'));
  dstIn.addEventListener('change', () => onName(dstIn, 'destination'));
  srcIn.addEventListener('input', () => onName(srcIn, 'source'));
  dstIn.addEventListener('input', () => onName(dstIn, 'destination'));
  modeSel.addEventListener('change', () => {
    ui.mode = modeSel.value as RoutingMode;
    update();
  });

  // Overlay checkboxes.
  const boxes: [string, keyof Overlays][] = [
    ['ov-tree', 'tree'],
    ['ov-snake', 'snake'],
    ['ov-keycolour', 'keyColour'],
  ];
  for (const [id, key] of boxes) {
    const box = $<HTMLInputElement>(id);
    box.checked = overlays[key];
    box.addEventListener('change', () => {
      overlays[key] = box.checked;
      update();
    });
  }

  // Timeline: positions 0..snaps.length-1 are snapshots, snaps.length is the final state.
  const finalLayout: Snapshot = {
    time_s: Number.POSITIVE_INFINITY,
    nodes: run.topology.nodes.map((n) => ({
      name: n.name,
      root: '',
      parent: null,
      descending: null,
      coords: [],
      ...(n.x !== undefined && n.y !== undefined ? { x: n.x, y: n.y } : {}),
    })),
    links: [],
  };
  const moves = recorded && snaps.some((s) => s.nodes.some((n) => n.x !== undefined));
  let shown = snaps.length;
  let anim = 0;
  /** Glide node positions from the shown snapshot to position p over 400 ms. */
  const glide = (p: number): void => {
    if (!moves || p === shown) return;
    const from = shown < snaps.length ? snaps[shown]! : finalLayout;
    const to = p < snaps.length ? snaps[p]! : finalLayout;
    shown = p;
    cancelAnimationFrame(anim);
    const start = performance.now();
    const frame = (now: number): void => {
      const f = Math.min(1, (now - start) / 400);
      topo.setPositions(interpolatePositions(from, to, f));
      if (f < 1) anim = requestAnimationFrame(frame);
    };
    anim = requestAnimationFrame(frame);
  };
  const slider = $<HTMLInputElement>('timeline-slider');
  const playBtn = $<HTMLButtonElement>('play');
  const tlLabel = $('timeline-label');
  slider.min = '0';
  slider.max = String(snaps.length);
  slider.value = String(ui.pos);
  slider.disabled = snaps.length === 0;
  playBtn.disabled = snaps.length === 0;
  const setPos = (p: number): void => {
    ui.pos = p;
    // The snapshot timeline takes over from the replay cursor.
    ui.replayT = null;
    topo.setFrames([]);
    slider.value = String(p);
    update();
    glide(p);
  };
  const togglePlay = (): void => {
    if (snaps.length === 0) return;
    if (ui.playing) {
      clearInterval(ui.playing);
      ui.playing = 0;
    } else {
      ui.playing = window.setInterval(() => setPos(step(ui.pos, 1, snaps.length + 1, true)), 900);
    }
    playBtn.textContent = ui.playing ? 'Pause' : 'Play';
    playBtn.setAttribute('aria-pressed', ui.playing ? 'true' : 'false');
  };
  slider.addEventListener('input', () => setPos(Number(slider.value)));
  playBtn.addEventListener('click', togglePlay);
  document.addEventListener('keydown', (e) => {
    const t = e.target as HTMLElement | null;
    const typing = t instanceof HTMLInputElement && t.type !== 'range' && t.type !== 'checkbox';
    if (typing || t instanceof HTMLSelectElement || t instanceof HTMLTextAreaElement) return;
    if (e.key === ' ' && !(t instanceof HTMLButtonElement)) {
      e.preventDefault();
      togglePlay();
    } else if ((e.key === 'ArrowLeft' || e.key === 'ArrowRight') && t !== slider) {
      e.preventDefault();
      setPos(step(ui.pos, e.key === 'ArrowLeft' ? -1 : 1, snaps.length + 1));
    }
  });

  function update(): void {
    const snapState = stateAt(ui.pos);
    // Under the replay cursor: the snapshot at or before it, with each node's root, parent and
    // descending neighbour from its latest state line (events.jsonl) up to the cursor.
    const st =
      ui.replayT !== null && run.replay
        ? replayStateAt(g, snapState, run.replay, ui.replayT, snaps[ui.pos]?.time_s)
        : snapState;
    const pair = `${ui.source}|${ui.destination}|${ui.mode}`;
    if (pair !== ui.hopPair) {
      ui.hop = -1;
      ui.hopPair = pair;
    }
    tlLabel.textContent =
      snaps.length === 0
        ? 'no snapshots.json: final state only'
        : `${ui.pos + 1}/${snaps.length + 1}: ${st.label}`;
    const res = renderPath(document, g, pathIdx, st.links, ui.source, ui.destination, ui.mode, {
      selected: ui.hop,
      onHop: (i) => {
        ui.hop = ui.hop === i ? -1 : i;
        update();
      },
      // Only what exists at the time shown is drawn.
      atTime: ui.pos < snaps.length || ui.replayT !== null,
    });
    renderDecision(
      $('decision'),
      g,
      res.hops[ui.hop] ?? null,
      ui.hop,
      ui.destination >= 0 ? g.nodes[ui.destination]!.name : '',
    );
    renderTopologyLegend($('topo-legend'), st, overlays, run.replay !== null);
    const hl: Highlight = {
      selected: ui.selected,
      path: res.path,
      shortest: res.shortest,
      ends: res.ends,
    };
    topo.render(st, overlays, hl);
    keys.render(st, ui.selected, res.path, res.ends);
    $('selection').textContent =
      ui.selected >= 0
        ? `selected ${g.nodes[ui.selected]!.name} — key ${g.nodes[ui.selected]!.key}, parent ${nameOr(st.parent[ui.selected]!)}, descending ${nameOr(st.descending[ui.selected]!)}, depth ${st.depth[ui.selected]}`
        : 'click a node to select it';
  }
  const nameOr = (i: number): string =>
    i >= 0 ? g.nodes[i]!.name : i === UNKNOWN_NODE ? 'a node not in topology.json' : '—';

  update();
  if (run.replay) {
    const rp = run.replay;
    new ReplayView(document, rp, (t) => {
      ui.replayT = t;
      ui.pos = snaps.length === 0 ? 0 : Math.max(0, snapshotIndexAt(snaps, t));
      slider.value = String(ui.pos);
      update();
      topo.setFrames(
        inFlight(rp, t).flatMap(({ flight, f }) => {
          const a = g.index.get(flight.from);
          const b = g.index.get(flight.to);
          return a === undefined || b === undefined
            ? []
            : [{ from: a, to: b, f, type: flight.type }];
        }),
      );
    });
  }
  renderCharts(document, run, compare);
  const t3 = performance.now();
  document.body.dataset['renderMs'] = String(Math.round(t3 - t0));
  // Where the first render's time went (load+parse, layout, drawing), for performance reports.
  document.body.dataset['timing'] =
    `load ${Math.round(t1 - t0)} ms, layout ${Math.round(t2 - t1)} ms, draw ${Math.round(t3 - t2)} ms`;
  document.body.dataset['ready'] = '1';
}

main().catch((e: unknown) => {
  const el = document.getElementById('fatal');
  if (el) {
    el.hidden = false;
    el.textContent = `Cannot show this run: ${(e as Error)?.message ?? String(e)}`;
  }
  document.body.dataset['ready'] = 'error';
});
