/**
 * viz/src/views/keyspace.ts — the snake in key space. Nodes sit on a line in key order (smallest
 * key left). Above the line every node's descending pointer is an arc whose height grows with the
 * key-rank distance it spans (log scale, with a visible minimum: in a converged snake every arc
 * joins two adjacent keys and would otherwise be a dot); pointers that are not the node's true
 * predecessor (the greatest smaller key in its component, PROTOCOL.md §6.1) are red, and nodes
 * that should have a pointer but have none get a red tick below the line. The selected node's
 * pointers (its own and those pointing at it) are drawn dark and thick; the path shown in the path
 * explorer is drawn below the line, hop by hop in key order, so a SNEK walk towards the
 * destination key can be followed. Canvas above 1000 nodes, like the topology view.
 *
 * The container gets data-nodes / data-arcs / data-wrong / data-missing / data-path-arcs /
 * data-selected with what was drawn (the e2e test reads them), and data-draw-ms.
 */
import { select } from 'd3';
import { type GraphModel, type Link, type NetState, UNKNOWN_NODE } from '../model/graph.ts';
import { arcHeight, type KeyArc, keyspaceModel } from '../model/keyspace.ts';
import { COLOURS, keyColour } from './colours.ts';
import { CANVAS_THRESHOLD, type NodeClick } from './topology.ts';

const HEIGHT = 180;
const BASE = 104; // y of the key axis
const UP_MIN = 16; // arc to the adjacent key
const UP_MAX = BASE - 8;
const DOWN_MIN = 8;
const DOWN_MAX = 66;
const PAD = 20;
const WRONG = '#e31a1c';
const SELECTED_ARC = '#222222';

export class KeyspaceView {
  private readonly g: GraphModel;
  private readonly container: HTMLElement;
  private readonly width: number;
  private readonly xOf: Float64Array;
  private readonly byRank: Int32Array;
  private readonly canvasMode: boolean;
  private readonly info: HTMLElement;

  constructor(container: HTMLElement, g: GraphModel, onClick: NodeClick) {
    this.g = g;
    this.container = container;
    this.width = Math.max(300, container.clientWidth || 800);
    const n = g.nodes.length;
    this.xOf = new Float64Array(n);
    this.byRank = new Int32Array(n);
    for (const node of g.nodes) {
      this.xOf[node.index] = PAD + ((this.width - 2 * PAD) * node.keyRank) / Math.max(1, n - 1);
      this.byRank[node.keyRank] = node.index;
    }
    this.canvasMode = n > CANVAS_THRESHOLD;
    container.replaceChildren();
    container.dataset['mode'] = this.canvasMode ? 'canvas' : 'svg';
    const pick = (clientX: number, left: number, shift: boolean): void => {
      const rank = Math.round(
        ((clientX - left - PAD) / (this.width - 2 * PAD)) * Math.max(1, n - 1),
      );
      const i = this.byRank[Math.max(0, Math.min(n - 1, rank))];
      if (i !== undefined) onClick(i, shift);
    };
    if (this.canvasMode) {
      const dpr = globalThis.devicePixelRatio || 1;
      const c = document.createElement('canvas');
      c.width = Math.round(this.width * dpr);
      c.height = Math.round(HEIGHT * dpr);
      c.style.width = `${this.width}px`;
      c.style.height = `${HEIGHT}px`;
      c.setAttribute('role', 'img');
      c.setAttribute(
        'aria-label',
        'key space (canvas): nodes in key order, descending pointers as arcs',
      );
      c.addEventListener('click', (e) =>
        pick(e.clientX, c.getBoundingClientRect().left, e.shiftKey),
      );
      container.append(c);
    } else {
      const svg = select(container)
        .append('svg')
        .attr('viewBox', `0 0 ${this.width} ${HEIGHT}`)
        .attr('width', this.width)
        .attr('height', HEIGHT)
        .attr('role', 'img')
        .attr('aria-label', 'key space: nodes in key order, descending pointers as arcs');
      svg
        .append('line')
        .attr('class', 'key-axis')
        .attr('x1', PAD / 2)
        .attr('x2', this.width - PAD / 2)
        .attr('y1', BASE)
        .attr('y2', BASE);
      for (const cls of ['arcs', 'missing', 'path-arcs', 'key-nodes'])
        svg.append('g').attr('class', cls);
      svg.on('click', (e: MouseEvent) => {
        const idx = (e.target as Element | null)?.getAttribute('data-index');
        if (idx != null) onClick(Number(idx), e.shiftKey);
        else if (Math.abs(e.offsetY - BASE) < 14)
          pick(e.clientX, svg.node()!.getBoundingClientRect().left, e.shiftKey);
      });
    }
    const ends = document.createElement('div');
    ends.className = 'key-legend';
    const lo = document.createElement('span');
    lo.textContent = '← smallest key';
    const hi = document.createElement('span');
    hi.textContent = 'greatest key →';
    ends.append(lo, hi);
    container.append(ends);
    this.info = document.createElement('div');
    this.info.className = 'keyspace-info';
    container.append(this.info);
  }

  /** Arc above the axis (descending pointer) or below it (path hop), as a cubic Bézier. */
  private arcPath(a: number, b: number, h: number, below: boolean): string {
    const x1 = this.xOf[a]!;
    const x2 = this.xOf[b]!;
    // A cubic with both control points at 4/3·h peaks at exactly h.
    const cy = below ? BASE + (4 / 3) * h : BASE - (4 / 3) * h;
    return `M${x1},${BASE}C${x1},${cy} ${x2},${cy} ${x2},${BASE}`;
  }

  private upHeight(arc: KeyArc): number {
    return arcHeight(arc.ranks, this.g.nodes.length, UP_MIN, UP_MAX);
  }

  private downHeight(a: number, b: number): number {
    const ranks = Math.abs(this.g.nodes[a]!.keyRank - this.g.nodes[b]!.keyRank);
    return arcHeight(ranks, this.g.nodes.length, DOWN_MIN, DOWN_MAX);
  }

  /**
   * `path`: the hops of the explored path in order ([from, to] node indices), `ends` its source
   * and destination.
   */
  render(
    st: NetState,
    selected: number,
    path: readonly Link[] = [],
    ends: readonly number[] = [],
  ): void {
    const t0 = performance.now();
    const model = keyspaceModel(this.g, st);
    const n = this.g.nodes.length;
    const ds = this.container.dataset;
    ds['nodes'] = String(n);
    ds['arcs'] = String(model.arcs.length);
    ds['wrong'] = String(model.wrong);
    ds['missing'] = String(model.missing.length);
    ds['unresolved'] = String(model.unresolved);
    ds['pathArcs'] = String(path.length);
    ds['selected'] = selected >= 0 ? this.g.nodes[selected]!.name : '';
    // Correct arcs first, then wrong ones, then the selected node's: later is on top.
    const isSel = (a: KeyArc): boolean => a.from === selected || a.to === selected;
    const rank = (a: KeyArc): number => (isSel(a) ? 2 : a.wrong ? 1 : 0);
    const arcs = [...model.arcs].sort((x, y) => rank(x) - rank(y));
    this.info.textContent = this.describe(
      st,
      model.arcs.length,
      model.wrong,
      model.missing.length,
      selected,
      model.pred,
      model.unresolved,
    );
    if (this.canvasMode) this.paint(st, arcs, model.missing, selected, path, ends, isSel);
    else this.drawSvg(st, arcs, model.missing, selected, path, ends, isSel);
    ds['drawMs'] = (performance.now() - t0).toFixed(1);
  }

  private describe(
    st: NetState,
    arcs: number,
    wrong: number,
    missing: number,
    selected: number,
    pred: Int32Array,
    unresolved: number,
  ): string {
    const present = st.present.reduce((s, v) => s + v, 0);
    const parts = [
      `${arcs} descending pointers over ${present} nodes; ${wrong === 0 ? 'all correct' : `${wrong} wrong (red${missing > 0 ? `, ${missing} missing: red ticks` : ''})`}.`,
      'Arc height grows with the key distance spanned (log).',
      'Below the line: the explored path, hop by hop.',
    ];
    if (unresolved > 0 || st.unknown > 0)
      parts.push(
        `${st.unknown} node(s) of this snapshot are not in topology.json (removed later; keys unknown): ${unresolved} pointer(s) to them are not drawn or judged.`,
      );
    if (selected >= 0) {
      const name = (i: number): string => (i >= 0 ? this.g.nodes[i]!.name : 'none');
      const d = st.descending[selected]!;
      const p = pred[selected]!;
      parts.push(
        d === UNKNOWN_NODE
          ? `${name(selected)}: descending is a node not in topology.json.`
          : `${name(selected)}: descending ${name(d)}${d === p ? ' (its true predecessor)' : `, true predecessor ${name(p)}`}.`,
      );
    }
    return parts.join(' ');
  }

  private drawSvg(
    st: NetState,
    arcs: readonly KeyArc[],
    missing: readonly number[],
    selected: number,
    path: readonly Link[],
    ends: readonly number[],
    isSel: (a: KeyArc) => boolean,
  ): void {
    const svg = select(this.container).select('svg');
    const nodes = this.g.nodes;
    const n = nodes.length;
    svg
      .select('g.arcs')
      .selectAll<SVGPathElement, KeyArc>('path')
      .data(arcs)
      .join((e) => e.append('path').call((p) => p.append('title')))
      .attr('class', (a) => `snake-arc${a.wrong ? ' wrong' : ''}${isSel(a) ? ' selected' : ''}`)
      .attr('d', (a) => this.arcPath(a.from, a.to, this.upHeight(a), false))
      .select('title')
      .text(
        (a) =>
          `${nodes[a.from]!.name} → ${nodes[a.to]!.name}: descending pointer across ${a.ranks} key rank${a.ranks === 1 ? '' : 's'}${a.wrong ? ' — WRONG (not the true predecessor)' : ''}`,
      );
    svg
      .select('g.missing')
      .selectAll<SVGLineElement, number>('line')
      .data(missing)
      .join('line')
      .attr('class', 'missing-pointer')
      .attr('x1', (i) => this.xOf[i]!)
      .attr('x2', (i) => this.xOf[i]!)
      .attr('y1', BASE + 6)
      .attr('y2', BASE + 16);
    svg
      .select('g.path-arcs')
      .selectAll<SVGPathElement, Link>('path')
      .data(path)
      .join('path')
      .attr('class', 'path-arc')
      .attr('d', ([a, b]) => this.arcPath(a, b, this.downHeight(a, b), true));
    const endSet = new Set(ends);
    svg
      .select('g.key-nodes')
      .selectAll<SVGCircleElement, number>('circle')
      .data(nodes.map((_, i) => i))
      .join((e) =>
        e
          .append('circle')
          .attr('data-index', (i) => i)
          .call((c) =>
            c.append('title').text((i) => `${nodes[i]!.name} key ${nodes[i]!.key.slice(0, 16)}…`),
          ),
      )
      .attr(
        'class',
        (i) => `key-node${i === selected ? ' selected' : ''}${endSet.has(i) ? ' path-end' : ''}`,
      )
      .attr('data-name', (i) => nodes[i]!.name)
      .attr('cx', (i) => this.xOf[i]!)
      .attr('cy', BASE)
      .attr('r', (i) => (i === selected ? 7 : Math.max(2, Math.min(5, 400 / n))))
      .attr('fill', (i) => (st.present[i] ? keyColour(nodes[i]!.keyRank, n) : COLOURS.absent));
  }

  private paint(
    st: NetState,
    arcs: readonly KeyArc[],
    missing: readonly number[],
    selected: number,
    path: readonly Link[],
    ends: readonly number[],
    isSel: (a: KeyArc) => boolean,
  ): void {
    const c = this.container.querySelector('canvas');
    const ctx = c?.getContext('2d');
    if (!c || !ctx) return;
    const dpr = c.width / this.width;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, c.width, c.height);
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    const x = this.xOf;
    const n = this.g.nodes.length;
    ctx.strokeStyle = '#999';
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(PAD / 2, BASE);
    ctx.lineTo(this.width - PAD / 2, BASE);
    ctx.stroke();
    // One path per class of arc: a handful of strokes for 10,000 arcs.
    const strokeArcs = (
      list: readonly KeyArc[],
      colour: string,
      width: number,
      alpha: number,
    ): void => {
      if (list.length === 0) return;
      ctx.beginPath();
      for (const a of list) {
        const h = (4 / 3) * this.upHeight(a);
        ctx.moveTo(x[a.from]!, BASE);
        ctx.bezierCurveTo(x[a.from]!, BASE - h, x[a.to]!, BASE - h, x[a.to]!, BASE);
      }
      ctx.globalAlpha = alpha;
      ctx.strokeStyle = colour;
      ctx.lineWidth = width;
      ctx.stroke();
      ctx.globalAlpha = 1;
    };
    strokeArcs(
      arcs.filter((a) => !a.wrong && !isSel(a)),
      COLOURS.snake,
      0.6,
      0.7,
    );
    strokeArcs(
      arcs.filter((a) => a.wrong && !isSel(a)),
      WRONG,
      1.2,
      1,
    );
    strokeArcs(arcs.filter(isSel), SELECTED_ARC, 2, 1);
    if (missing.length > 0) {
      ctx.beginPath();
      for (const i of missing) {
        ctx.moveTo(x[i]!, BASE + 6);
        ctx.lineTo(x[i]!, BASE + 16);
      }
      ctx.strokeStyle = WRONG;
      ctx.lineWidth = 1.5;
      ctx.stroke();
    }
    if (path.length > 0) {
      ctx.beginPath();
      for (const [a, b] of path) {
        const h = (4 / 3) * this.downHeight(a, b);
        ctx.moveTo(x[a]!, BASE);
        ctx.bezierCurveTo(x[a]!, BASE + h, x[b]!, BASE + h, x[b]!, BASE);
      }
      ctx.strokeStyle = COLOURS.path;
      ctx.lineWidth = 2;
      ctx.stroke();
    }
    // Node ticks in rank order, key colour quantised to 64 steps: ≤ 64 fillStyle changes.
    let bucket = -1;
    for (let r = 0; r < n; r++) {
      const i = this.byRank[r]!;
      const b = st.present[i] ? Math.floor((r * 64) / n) : -2;
      if (b !== bucket) {
        bucket = b;
        ctx.fillStyle = b === -2 ? COLOURS.absent : keyColour((b * n) / 64, n);
      }
      ctx.fillRect(x[i]! - 0.5, BASE - 4, 1, 8);
    }
    const ring = (i: number, colour: string, rad: number): void => {
      ctx.beginPath();
      ctx.arc(x[i]!, BASE, rad, 0, Math.PI * 2);
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2;
      ctx.stroke();
    };
    for (const e of ends) ring(e, COLOURS.path, 5);
    if (selected >= 0) ring(selected, COLOURS.selected, 7);
  }
}
