/**
 * viz/src/views/path.ts — path explorer panel: per-mode summary of the recorded paths of the
 * chosen pair (paths.json), the hop list of one mode with each hop's reason, and a shortest path
 * beside it (the recorded one, else BFS over the current links).
 */
import type { PathHop, PathRecord, RoutingMode } from '../../../results/schema.ts';
import type { GraphModel, Link } from '../model/graph.ts';
import { modeLabel } from '../model/modes.ts';
import {
  bfsPath,
  formatHop,
  namesInReason,
  namesToLinks,
  type PathIndex,
  pathNodes,
  pathsFor,
} from '../model/paths.ts';

export interface PathResult {
  readonly path: Link[];
  readonly shortest: Link[];
  readonly ends: number[];
  /** The shown record's hops (for the decision panel), [] when none. */
  readonly hops: readonly PathHop[];
}

/** Optional: clickable hops (for the decision panel) and the hop shown there. */
export interface HopChoice {
  readonly selected: number; // -1: none
  readonly onHop: (index: number) => void;
  /**
   * The views show a moment before the end (a snapshot or the replay cursor): draw only the
   * recorded path's links that exist then, and a shortest path over the links of that moment.
   */
  readonly atTime?: boolean;
}

export function renderPath(
  doc: Document,
  g: GraphModel,
  idx: PathIndex | null,
  links: readonly Link[],
  source: number,
  destination: number,
  mode: RoutingMode,
  choice?: HopChoice,
): PathResult {
  const hopList = doc.getElementById('hop-list')!;
  const shortList = doc.getElementById('shortest-list')!;
  const summary = doc.getElementById('path-summary')!;
  const note = doc.getElementById('path-note')!;
  hopList.replaceChildren();
  shortList.replaceChildren();
  summary.replaceChildren();
  note.textContent = '';
  if (source < 0 || destination < 0) {
    note.textContent =
      'Choose a source and a destination (type a name, or click a node; shift-click sets the destination).';
    return { path: [], shortest: [], ends: [], hops: [] };
  }
  const src = g.nodes[source]!.name;
  const dst = g.nodes[destination]!.name;
  const records = idx ? pathsFor(idx, src, dst) : [];
  const head = doc.createElement('tr');
  for (const h of ['mode', 'outcome', 'hops', 'shortest']) {
    const th = doc.createElement('th');
    th.textContent = h;
    head.append(th);
  }
  summary.append(head);
  for (const r of records) {
    const tr = doc.createElement('tr');
    if (r.mode === mode) tr.className = 'current';
    const cells = [modeLabel(r.mode), r.outcome, String(r.hops.length - 1)];
    for (const v of [...cells, String(r.shortest.length - 1)]) {
      const td = doc.createElement('td');
      td.textContent = v;
      tr.append(td);
    }
    summary.append(tr);
  }
  const rec: PathRecord | undefined = records.find((r) => r.mode === mode);
  let path: Link[] = [];
  if (rec) {
    rec.hops.forEach((h, i) => {
      const li = doc.createElement('li');
      // Reasons name keys ("ancestor 6790… is closer"): the node's name goes first.
      li.textContent = formatHop(h, i, namesInReason(g, h.reason));
      if (choice) {
        li.className = `hop${i === choice.selected ? ' chosen' : ''}${h.decision ? ' explained' : ''}`;
        li.tabIndex = 0;
        li.setAttribute('role', 'button');
        li.title = 'click: explain this decision (§6.6)';
        li.dataset['hop'] = String(i);
        li.addEventListener('click', () => choice.onHop(i));
        li.addEventListener('keydown', (e) => {
          if (e.key === 'Enter') choice.onHop(i);
        });
      }
      hopList.append(li);
    });
    path = namesToLinks(g, pathNodes(rec));
    if (choice?.atTime === true) {
      const now = new Set(links.map(([a, b]) => (a < b ? `${a},${b}` : `${b},${a}`)));
      const kept = path.filter(([a, b]) => now.has(a < b ? `${a},${b}` : `${b},${a}`));
      if (kept.length < path.length)
        note.textContent = `This path was recorded at the end of the run; ${path.length - kept.length} of its ${path.length} links do not exist at the time shown and are not drawn.`;
      path = kept;
    }
  } else {
    note.textContent = idx
      ? `No recorded ${modeLabel(mode)} path from ${src} to ${dst} in paths.json (paths are recorded for a sample of pairs).`
      : 'paths.json is missing: only the shortest path is shown.';
  }
  const shortestNames =
    choice?.atTime === true
      ? bfsPath(g, links, source, destination).map((i) => g.nodes[i]!.name)
      : (rec?.shortest ??
        records[0]?.shortest ??
        bfsPath(g, links, source, destination).map((i) => g.nodes[i]!.name));
  for (const name of shortestNames) {
    const li = doc.createElement('li');
    li.textContent = name;
    shortList.append(li);
  }
  if (shortestNames.length === 0)
    note.textContent += ` ${dst} is unreachable from ${src}${choice?.atTime === true ? ' at this time' : ''}.`;
  return {
    path,
    shortest: namesToLinks(g, shortestNames),
    ends: [source, destination],
    hops: rec?.hops ?? [],
  };
}
