/**
 * viz/src/views/keyspace.ts — nodes on a line in key order (smallest key left), snake links
 * (node → descending neighbour) as arcs above the line; the selected node is shared with the
 * topology view. Canvas above 1000 nodes, like the topology view.
 */
import { select } from 'd3';
import { type GraphModel, type NetState, snakeLinks } from '../model/graph.ts';
import { COLOURS, keyColour } from './colours.ts';
import { CANVAS_THRESHOLD, type NodeClick } from './topology.ts';

export class KeyspaceView {
  private readonly g: GraphModel;
  private readonly container: HTMLElement;
  private readonly width: number;
  private readonly height = 130;
  private readonly base: number;
  private readonly xOf: Float64Array;
  private readonly byRank: Int32Array;
  private readonly canvasMode: boolean;

  constructor(container: HTMLElement, g: GraphModel, onClick: NodeClick) {
    this.g = g;
    this.container = container;
    this.width = Math.max(300, container.clientWidth || 800);
    this.base = this.height - 30;
    const n = g.nodes.length;
    this.xOf = new Float64Array(n);
    this.byRank = new Int32Array(n);
    for (const node of g.nodes) {
      this.xOf[node.index] = 20 + ((this.width - 40) * node.keyRank) / Math.max(1, n - 1);
      this.byRank[node.keyRank] = node.index;
    }
    this.canvasMode = n > CANVAS_THRESHOLD;
    container.replaceChildren();
    const pick = (clientX: number, left: number, shift: boolean): void => {
      const rank = Math.round(((clientX - left - 20) / (this.width - 40)) * Math.max(1, n - 1));
      const i = this.byRank[Math.max(0, Math.min(n - 1, rank))];
      if (i !== undefined) onClick(i, shift);
    };
    if (this.canvasMode) {
      const c = document.createElement('canvas');
      c.width = this.width;
      c.height = this.height;
      c.setAttribute('role', 'img');
      c.setAttribute('aria-label', 'key space (canvas)');
      c.addEventListener('click', (e) =>
        pick(e.clientX, c.getBoundingClientRect().left, e.shiftKey),
      );
      container.append(c);
    } else {
      const svg = select(container)
        .append('svg')
        .attr('viewBox', `0 0 ${this.width} ${this.height}`)
        .attr('width', this.width)
        .attr('height', this.height)
        .attr('role', 'img')
        .attr('aria-label', 'key space: nodes sorted by key, snake links as arcs');
      svg
        .append('line')
        .attr('class', 'key-axis')
        .attr('x1', 10)
        .attr('x2', this.width - 10)
        .attr('y1', this.base)
        .attr('y2', this.base);
      svg
        .append('text')
        .attr('class', 'axis-label')
        .attr('x', 10)
        .attr('y', this.height - 6)
        .text('smallest key');
      svg
        .append('text')
        .attr('class', 'axis-label')
        .attr('x', this.width - 10)
        .attr('y', this.height - 6)
        .attr('text-anchor', 'end')
        .text('greatest key →');
      svg.append('g').attr('class', 'arcs');
      svg.append('g').attr('class', 'key-nodes');
      svg.on('click', (e: MouseEvent) => {
        const idx = (e.target as Element | null)?.getAttribute('data-index');
        if (idx != null) onClick(Number(idx), e.shiftKey);
      });
    }
  }

  /** Arc from a to b above the axis: height grows with the key distance. */
  private arc(a: number, b: number): string {
    const x1 = this.xOf[a]!;
    const x2 = this.xOf[b]!;
    const r = Math.abs(x2 - x1) / 2;
    return `M${x1},${this.base}A${r},${Math.min(r, this.base - 10)} 0 0,${x1 < x2 ? 1 : 0} ${x2},${this.base}`;
  }

  render(st: NetState, selected: number): void {
    const arcs = snakeLinks(st);
    const n = this.g.nodes.length;
    this.container.dataset['nodes'] = String(n);
    this.container.dataset['arcs'] = String(arcs.length);
    this.container.dataset['selected'] = selected >= 0 ? this.g.nodes[selected]!.name : '';
    if (this.canvasMode) {
      const c = this.container.querySelector('canvas');
      const ctx = c?.getContext('2d');
      if (!c || !ctx) return;
      ctx.clearRect(0, 0, c.width, c.height);
      ctx.strokeStyle = COLOURS.snake;
      ctx.lineWidth = 0.5;
      ctx.beginPath();
      for (const [a, b] of arcs) ctx.stroke(new Path2D(this.arc(a, b)));
      for (let i = 0; i < n; i++) {
        ctx.fillStyle = st.present[i] ? keyColour(this.g.nodes[i]!.keyRank, n) : COLOURS.absent;
        ctx.fillRect(this.xOf[i]! - 0.5, this.base - 4, 1, 8);
      }
      if (selected >= 0) {
        ctx.fillStyle = COLOURS.selected;
        ctx.fillRect(this.xOf[selected]! - 2, this.base - 12, 4, 24);
      }
      return;
    }
    const svg = select(this.container).select('svg');
    svg
      .select('g.arcs')
      .selectAll('path')
      .data(arcs)
      .join('path')
      .attr('class', 'snake-arc')
      .attr('d', ([a, b]) => this.arc(a, b));
    svg
      .select('g.key-nodes')
      .selectAll<SVGCircleElement, number>('circle')
      .data(this.g.nodes.map((_, i) => i))
      .join((e) =>
        e
          .append('circle')
          .attr('data-index', (i) => i)
          .call((c) =>
            c
              .append('title')
              .text((i) => `${this.g.nodes[i]!.name} key ${this.g.nodes[i]!.key.slice(0, 16)}…`),
          ),
      )
      .attr('class', (i) => `key-node${i === selected ? ' selected' : ''}`)
      .attr('data-name', (i) => this.g.nodes[i]!.name)
      .attr('cx', (i) => this.xOf[i]!)
      .attr('cy', this.base)
      .attr('r', (i) => (i === selected ? 7 : Math.max(2, Math.min(5, 400 / n))))
      .attr('fill', (i) =>
        st.present[i] ? keyColour(this.g.nodes[i]!.keyRank, n) : COLOURS.absent,
      );
  }
}
