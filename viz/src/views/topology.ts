/**
 * viz/src/views/topology.ts — the network drawn with its overlays: spanning tree (parent links,
 * root highlighted, depth as colour), snake (node → descending neighbour), key-order colouring,
 * the selected node and the explored path. SVG up to 1000 nodes, canvas above (10,000 nodes pan
 * and zoom smoothly: links are one canvas path, nodes are batched by colour). The container gets
 * data-mode / data-nodes / data-links / data-tree-links / data-snake-links with the counts drawn.
 */
import {
  type D3ZoomEvent,
  type Quadtree,
  quadtree,
  select,
  type ZoomTransform,
  zoom,
  zoomIdentity,
} from 'd3';
import {
  bounds,
  type GraphModel,
  type Link,
  maxDepth,
  type NetState,
  snakeLinks,
  treeLinks,
} from '../model/graph.ts';
import { COLOURS, depthColour, keyColour } from './colours.ts';

export const CANVAS_THRESHOLD = 1000;

export interface Overlays {
  tree: boolean;
  snake: boolean;
  keyColour: boolean;
}

export interface Highlight {
  readonly selected: number; // -1 none
  readonly path: readonly Link[];
  readonly shortest: readonly Link[];
  readonly ends: readonly number[]; // source, destination
}

export type NodeClick = (index: number, shift: boolean) => void;

interface Fit {
  k: number;
  ox: number;
  oy: number;
}

export class TopologyView {
  readonly mode: 'svg' | 'canvas';
  private readonly g: GraphModel;
  private readonly container: HTMLElement;
  private readonly width: number;
  private readonly height: number;
  private readonly fit: Fit;
  private readonly px: Float64Array; // screen-space base positions (before zoom)
  private readonly py: Float64Array;
  private transform: ZoomTransform = zoomIdentity;
  private last: { st: NetState; ov: Overlays; hl: Highlight } | null = null;
  private svgLayer: SVGGElement | null = null;
  private canvas: HTMLCanvasElement | null = null;
  private tree: Quadtree<number> | null = null;
  private frame = 0;
  /** Canvas node colour batches, rebuilt by render() only, so zoom frames skip colour work. */
  private buckets: [string, number[]][] = [];

  constructor(container: HTMLElement, g: GraphModel, onClick: NodeClick) {
    this.g = g;
    this.container = container;
    this.mode = g.nodes.length > CANVAS_THRESHOLD ? 'canvas' : 'svg';
    this.width = Math.max(300, container.clientWidth || 800);
    this.height = Math.max(300, container.clientHeight || 520);
    const [x0, y0, x1, y1] = bounds(g);
    const k = Math.min(this.width / (x1 - x0), this.height / (y1 - y0));
    this.fit = {
      k,
      ox: (this.width - (x1 - x0) * k) / 2 - x0 * k,
      oy: (this.height - (y1 - y0) * k) / 2 - y0 * k,
    };
    const n = g.nodes.length;
    this.px = new Float64Array(n);
    this.py = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      this.px[i] = g.nodes[i]!.x * this.fit.k + this.fit.ox;
      this.py[i] = g.nodes[i]!.y * this.fit.k + this.fit.oy;
    }
    container.replaceChildren();
    container.dataset['mode'] = this.mode;
    container.dataset['scale'] = String(this.fit.k); // px per topology unit before zoom (tests use it)
    if (this.mode === 'svg') this.initSvg(onClick);
    else this.initCanvas(onClick);
  }

  private initSvg(onClick: NodeClick): void {
    const svg = select(this.container)
      .append('svg')
      .attr('class', 'topology-svg')
      .attr('viewBox', `0 0 ${this.width} ${this.height}`)
      .attr('width', this.width)
      .attr('height', this.height)
      .attr('role', 'img')
      .attr('aria-label', 'network topology');
    const layer = svg.append('g').attr('class', 'zoom-layer');
    for (const cls of [
      'links',
      'tree-links',
      'snake-links',
      'shortest-links',
      'path-links',
      'nodes',
    ]) {
      layer.append('g').attr('class', `layer-${cls}`);
    }
    this.svgLayer = layer.node();
    svg.call(
      zoom<SVGSVGElement, unknown>()
        .scaleExtent([0.2, 40])
        .on('zoom', (e: D3ZoomEvent<SVGSVGElement, unknown>) => {
          this.transform = e.transform;
          layer.attr('transform', e.transform.toString());
        }),
    );
    svg.on('click', (e: MouseEvent) => {
      const t = e.target as Element | null;
      const idx = t?.getAttribute('data-index');
      if (idx != null) onClick(Number(idx), e.shiftKey);
    });
  }

  private initCanvas(onClick: NodeClick): void {
    const dpr = globalThis.devicePixelRatio || 1;
    const canvas = document.createElement('canvas');
    canvas.className = 'topology-canvas';
    canvas.width = Math.round(this.width * dpr);
    canvas.height = Math.round(this.height * dpr);
    canvas.style.width = `${this.width}px`;
    canvas.style.height = `${this.height}px`;
    canvas.setAttribute('role', 'img');
    canvas.setAttribute('aria-label', 'network topology (canvas)');
    this.container.append(canvas);
    this.canvas = canvas;
    this.tree = quadtree<number>()
      .x((i) => this.px[i]!)
      .y((i) => this.py[i]!)
      .addAll(this.g.nodes.map((_, i) => i));
    select(canvas).call(
      zoom<HTMLCanvasElement, unknown>()
        .scaleExtent([0.2, 80])
        .on('zoom', (e: D3ZoomEvent<HTMLCanvasElement, unknown>) => {
          this.transform = e.transform;
          this.schedule();
        }),
    );
    canvas.addEventListener('click', (e) => {
      const r = canvas.getBoundingClientRect();
      const [x, y] = this.transform.invert([e.clientX - r.left, e.clientY - r.top]);
      const hit = this.tree?.find(x, y, 8 / this.transform.k);
      if (hit !== undefined) onClick(hit, e.shiftKey);
    });
  }

  /**
   * Move nodes to new positions (same coordinate space as topology.json's x,y; the fit to the
   * page is kept so the picture does not jump). Nodes without a position stay where they are.
   */
  setPositions(pos: ReadonlyMap<string, readonly [number, number]>): void {
    for (const node of this.g.nodes) {
      const p = pos.get(node.name);
      if (!p) continue;
      this.px[node.index] = p[0] * this.fit.k + this.fit.ox;
      this.py[node.index] = p[1] * this.fit.k + this.fit.oy;
    }
    if (this.mode === 'canvas') {
      this.tree = quadtree<number>()
        .x((i) => this.px[i]!)
        .y((i) => this.py[i]!)
        .addAll(this.g.nodes.map((_, i) => i));
    }
    if (this.last) this.render(this.last.st, this.last.ov, this.last.hl);
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      if (this.last) this.drawCanvas(this.last.st, this.last.ov, this.last.hl);
    });
  }

  private fill(i: number, st: NetState, ov: Overlays, md: number): string {
    if (!st.present[i]) return COLOURS.absent;
    if (ov.keyColour) return keyColour(this.g.nodes[i]!.keyRank, this.g.nodes.length);
    if (ov.tree) return depthColour(st.depth[i]!, md);
    return COLOURS.node;
  }

  render(st: NetState, ov: Overlays, hl: Highlight): void {
    this.last = { st, ov, hl };
    const tl = ov.tree ? treeLinks(st) : [];
    const sl = ov.snake ? snakeLinks(st) : [];
    const ds = this.container.dataset;
    ds['nodes'] = String(this.g.nodes.length);
    ds['links'] = String(st.links.length);
    ds['treeLinks'] = String(tl.length);
    ds['snakeLinks'] = String(sl.length);
    ds['pathLinks'] = String(hl.path.length);
    ds['selected'] = hl.selected >= 0 ? this.g.nodes[hl.selected]!.name : '';
    if (this.mode === 'svg') this.drawSvg(st, ov, hl, tl, sl);
    else {
      this.buckets = this.bucketNodes(st, ov);
      this.drawCanvas(st, ov, hl);
    }
  }

  private drawSvg(st: NetState, ov: Overlays, hl: Highlight, tl: Link[], sl: Link[]): void {
    const layer = select(this.svgLayer!);
    const px = this.px;
    const py = this.py;
    const lines = (cls: string, extra: string, data: readonly Link[]) =>
      layer
        .select(`g.layer-${cls}`)
        .selectAll<SVGLineElement, Link>('line')
        .data(data)
        .join('line')
        .attr('class', extra)
        .attr('x1', (l) => px[l[0]]!)
        .attr('y1', (l) => py[l[0]]!)
        .attr('x2', (l) => px[l[1]]!)
        .attr('y2', (l) => py[l[1]]!);
    lines('links', 'link', st.links);
    lines('tree-links', 'tree-link', tl);
    lines('snake-links', 'snake-link', sl);
    lines('shortest-links', 'shortest-link', hl.shortest);
    lines('path-links', 'path-link', hl.path);
    const md = maxDepth(st);
    const ends = new Set(hl.ends);
    const r = Math.max(3, Math.min(8, 220 / Math.sqrt(this.g.nodes.length)));
    layer
      .select('g.layer-nodes')
      .selectAll<SVGCircleElement, number>('circle')
      .data(this.g.nodes.map((_, i) => i))
      .join((enter) =>
        enter
          .append('circle')
          .attr('data-index', (i) => i)
          .call((c) =>
            c
              .append('title')
              .text((i) => `${this.g.nodes[i]!.name} (${this.g.nodes[i]!.key.slice(0, 12)}…)`),
          ),
      )
      .attr('class', (i) =>
        [
          'node',
          ov.tree && st.isRoot[i] ? 'root' : '',
          i === hl.selected ? 'selected' : '',
          ends.has(i) ? 'path-end' : '',
          st.present[i] ? '' : 'absent',
        ]
          .filter(Boolean)
          .join(' '),
      )
      .attr('data-name', (i) => this.g.nodes[i]!.name)
      .attr('cx', (i) => px[i]!)
      .attr('cy', (i) => py[i]!)
      .attr('r', (i) => (ov.tree && st.isRoot[i] ? r * 1.6 : r))
      .attr('fill', (i) => this.fill(i, st, ov, md));
  }

  private drawCanvas(st: NetState, ov: Overlays, hl: Highlight): void {
    const t0 = performance.now();
    this.paint(st, ov, hl);
    this.container.dataset['drawMs'] = (performance.now() - t0).toFixed(1);
  }

  private paint(st: NetState, ov: Overlays, hl: Highlight): void {
    const canvas = this.canvas!;
    const ctx = canvas.getContext('2d');
    if (!ctx) return;
    const dpr = canvas.width / this.width;
    const t = this.transform;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, canvas.width, canvas.height);
    ctx.setTransform(dpr * t.k, 0, 0, dpr * t.k, dpr * t.x, dpr * t.y);
    const px = this.px;
    const py = this.py;
    const stroke = (links: readonly Link[], colour: string, width: number): void => {
      if (links.length === 0) return;
      ctx.beginPath();
      for (const [a, b] of links) {
        ctx.moveTo(px[a]!, py[a]!);
        ctx.lineTo(px[b]!, py[b]!);
      }
      ctx.strokeStyle = colour;
      ctx.lineWidth = width / t.k;
      ctx.stroke();
    };
    stroke(st.links, COLOURS.link, 0.6);
    if (ov.tree) stroke(treeLinks(st), COLOURS.tree, 1.2);
    if (ov.snake) stroke(snakeLinks(st), COLOURS.snake, 1);
    ctx.setLineDash([4 / t.k, 3 / t.k]);
    stroke(hl.shortest, COLOURS.shortest, 2);
    ctx.setLineDash([]);
    stroke(hl.path, COLOURS.path, 2.5);
    // Nodes batched by colour: one fillStyle change per batch, not per node.
    const n = this.g.nodes.length;
    const size = Math.max(1.5, Math.min(6, 3 * Math.sqrt(t.k))) / t.k;
    for (const [colour, list] of this.buckets) {
      ctx.fillStyle = colour;
      for (const i of list) ctx.fillRect(px[i]! - size / 2, py[i]! - size / 2, size, size);
    }
    const ring = (i: number, colour: string, rad: number): void => {
      ctx.beginPath();
      ctx.arc(px[i]!, py[i]!, rad / t.k, 0, Math.PI * 2);
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2 / t.k;
      ctx.stroke();
    };
    if (ov.tree) for (let i = 0; i < n; i++) if (st.isRoot[i]) ring(i, COLOURS.root, 7);
    for (const e of hl.ends) ring(e, COLOURS.path, 6);
    if (hl.selected >= 0) ring(hl.selected, COLOURS.selected, 8);
  }

  /** Group nodes by fill colour (key order quantised to 64 colours: indistinguishable at this size). */
  private bucketNodes(st: NetState, ov: Overlays): [string, number[]][] {
    const md = maxDepth(st);
    const buckets = new Map<string, number[]>();
    for (let i = 0; i < this.g.nodes.length; i++) {
      const c = this.fillBucket(i, st, ov, md);
      let list = buckets.get(c);
      if (!list) {
        list = [];
        buckets.set(c, list);
      }
      list.push(i);
    }
    return [...buckets];
  }

  private fillBucket(i: number, st: NetState, ov: Overlays, md: number): string {
    if (!st.present[i]) return COLOURS.absent;
    const n = this.g.nodes.length;
    if (ov.keyColour)
      return keyColour(Math.floor((this.g.nodes[i]!.keyRank * 64) / n) * (n / 64), n);
    if (ov.tree) return depthColour(st.depth[i]!, md);
    return COLOURS.node;
  }
}
