/**
 * viz/src/views/decision.ts — "explain this hop": one node's SNEK decision as PROTOCOL.md §6.6
 * makes it, from paths.json (results/snek-decision.ts records it for small runs): the frame's
 * watermark, every candidate in the order the steps meet it (names first, the key on hover), its
 * key relative to the destination, whether it was taken, superseded or excluded and why, and the
 * winner. The panel gets data-candidates / data-winner for tests.
 */
import type { HopCandidate, PathHop } from '../../../results/schema.ts';
import type { GraphModel } from '../model/graph.ts';

const RELATION: Record<HopCandidate['relation'], string> = {
  below: '< D',
  destination: '= D',
  above: '> D',
};

export function renderDecision(
  el: HTMLElement,
  g: GraphModel,
  hop: PathHop | null,
  index: number,
  destination: string,
): void {
  const doc = el.ownerDocument;
  el.replaceChildren();
  el.dataset['candidates'] = '0';
  el.dataset['winner'] = '';
  if (hop === null) {
    el.hidden = true;
    return;
  }
  el.hidden = false;
  const keyOf = (name: string | null): string => {
    if (name === null) return '';
    const i = g.index.get(name);
    return i === undefined ? '' : g.nodes[i]!.key;
  };
  const h = doc.createElement('h2');
  h.textContent = `Hop ${index + 1}: why ${hop.node} sent it ${hop.next === null ? 'nowhere (delivered)' : `to ${hop.next}`}`;
  el.append(h);
  const d = hop.decision;
  if (!d) {
    const p = doc.createElement('p');
    p.className = 'decision-note';
    p.textContent = `${hop.reason}. No candidate list for this hop: decisions are recorded for SNEK paths of runs up to 16 nodes (scenarios/execute.ts DECISIONS_UP_TO); tree hops follow coordinates (§5.8).`;
    el.append(p);
    return;
  }
  const p = doc.createElement('p');
  p.className = 'decision-note';
  const name = (n: string): HTMLElement => {
    const b = doc.createElement('b');
    b.textContent = n;
    const k = keyOf(n);
    if (k) b.title = `key ${k}`;
    return b;
  };
  p.append(
    'Destination D = ',
    name(destination),
    '. The frame arrived with watermark ',
    name(d.watermark.key),
    `${d.watermark.seq ? ` (seq ${d.watermark.seq})` : ''}: table entries worse than it are skipped (§6.7). Recorded when the path was measured (the end of the run). Winner: `,
    name(d.winner.node),
    d.winner.via ? ' via ' : '',
    d.winner.via ? name(d.winner.via) : '',
    ` — ${d.winner.rule}.`,
  );
  if (!d.agrees) {
    p.append(' ⚠ the listing did not end on the router’s choice (please report this run).');
    p.classList.add('bad');
  }
  el.append(p);
  const table = doc.createElement('table');
  table.className = 'decision-table';
  table.setAttribute('aria-label', `candidates of ${hop.node}'s next-hop decision`);
  const head = doc.createElement('tr');
  for (const t of ['step (§6.6)', 'candidate', 'via', 'key', 'outcome', 'why']) {
    const th = doc.createElement('th');
    th.textContent = t;
    head.append(th);
  }
  table.append(head);
  for (const c of d.candidates) {
    const tr = doc.createElement('tr');
    tr.className = `cand ${c.outcome}`;
    const cell = (text: string, title = ''): void => {
      const td = doc.createElement('td');
      td.textContent = text;
      if (title) td.title = title;
      tr.append(td);
    };
    cell(c.step);
    cell(
      c.node ?? `${(c.key ?? '').slice(0, 8)}…`,
      c.node ? `key ${keyOf(c.node)}` : (c.key ?? ''),
    );
    cell(c.via ?? '—', c.via ? `key ${keyOf(c.via)}` : '');
    cell(RELATION[c.relation], c.seq ? `entry watermark sequence ${c.seq}` : '');
    cell(c.outcome);
    cell(c.why);
    table.append(tr);
  }
  el.append(table);
  el.dataset['candidates'] = String(d.candidates.length);
  el.dataset['winner'] = d.winner.node;
}
