/**
 * viz/src/views/topology.ts — the network drawn with its overlays: spanning tree (parent links,
 * root highlighted, depth as colour), snake (node → descending neighbour as a directed arc with an
 * arrowhead, wrong pointers in red: PROTOCOL.md §6.1, viz/src/model/keyspace.ts), key-order
 * colouring, the selected node, the explored path, node labels and the frames of a replay
 * (viz/src/model/replay.ts). Nodes absent at the shown time are drawn as small hollow rings and
 * isolated ones (present, no link) as small dashed dots, never as roots. SVG up to 1000 nodes,
 * canvas above (10,000 nodes pan and zoom smoothly: links are one canvas path, nodes are batched
 * by colour). The container gets data-mode / data-nodes / data-links / data-tree-links /
 * data-snake-links / data-wrong-snake / data-absent / data-isolated / data-roots / data-labels /
 * data-frames with the counts drawn.
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
import { keyspaceModel } from '../model/keyspace.ts';
import { COLOURS, depthColour, FRAME_COLOURS, frameColour, keyColour } from './colours.ts';

export const CANVAS_THRESHOLD = 1000;
/** Every node is labelled up to this many nodes; above, the selection and path ends, and all on zoom. */
export const LABEL_ALL_UP_TO = 60;
/** Zoom factor from which every node in view is labelled on bigger graphs. */
export const LABEL_ZOOM = 3;

/** A frame in flight at the replay cursor: from node → to node, fraction of the way, frame type. */
export interface FlyingFrame {
  readonly from: number;
  readonly to: number;
  readonly f: number;
  readonly type: string;
}

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
  private frames: readonly FlyingFrame[] = [];
  /** Snake arcs of the last render: [from, to, wrong]. */
  private arcs: { from: number; to: number; wrong: boolean }[] = [];
  private isolated: Uint8Array = new Uint8Array(0);

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
    // Arrowheads for the snake's descending pointers (a marker per colour: SVG 1.1 markers do
    // not inherit the path's stroke).
    const defs = svg.append('defs');
    for (const [id, colour] of [
      ['arrow-snake', COLOURS.snake],
      ['arrow-wrong', COLOURS.wrong],
    ] as const) {
      defs
        .append('marker')
        .attr('id', id)
        .attr('viewBox', '0 0 10 10')
        .attr('refX', 9)
        .attr('refY', 5)
        .attr('markerWidth', 7)
        .attr('markerHeight', 7)
        .attr('markerUnits', 'userSpaceOnUse')
        .attr('orient', 'auto')
        .append('path')
        .attr('d', 'M0,0 L10,5 L0,10 z')
        .attr('fill', colour);
    }
    for (const cls of [
      'links',
      'tree-links',
      'snake-links',
      'shortest-links',
      'path-links',
      'frames',
      'nodes',
      'labels',
    ]) {
      layer.append('g').attr('class', `layer-${cls}`);
    }
    this.svgLayer = layer.node();
    svg.call(
      zoom<SVGSVGElement, unknown>()
        .scaleExtent([0.2, 40])
        .on('zoom', (e: D3ZoomEvent<SVGSVGElement, unknown>) => {
          const was = this.transform.k;
          this.transform = e.transform;
          layer.attr('transform', e.transform.toString());
          // Labels keep their size on screen; bigger graphs label every node once zoomed in.
          if (was !== e.transform.k && this.last) this.drawLabels(this.last.hl);
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
    if (!st.present[i]) return '#ffffff';
    if (this.isolated[i]) return COLOURS.isolated;
    if (ov.keyColour) return keyColour(this.g.nodes[i]!.keyRank, this.g.nodes.length);
    if (ov.tree) return depthColour(st.depth[i]!, md);
    return COLOURS.node;
  }

  render(st: NetState, ov: Overlays, hl: Highlight): void {
    this.last = { st, ov, hl };
    const tl = ov.tree ? treeLinks(st) : [];
    const sl = ov.snake ? snakeLinks(st) : [];
    this.arcs = ov.snake ? keyspaceModel(this.g, st).arcs : [];
    const n = this.g.nodes.length;
    this.isolated = new Uint8Array(n);
    const degree = new Int32Array(n);
    for (const [a, b] of st.links) {
      degree[a]!++;
      degree[b]!++;
    }
    let absent = 0;
    let isolated = 0;
    let roots = 0;
    for (let i = 0; i < n; i++) {
      if (!st.present[i]) absent++;
      else if (degree[i] === 0 && n > 1) {
        this.isolated[i] = 1;
        isolated++;
      } else if (st.isRoot[i]) roots++;
    }
    const ds = this.container.dataset;
    ds['nodes'] = String(this.g.nodes.length);
    ds['links'] = String(st.links.length);
    ds['treeLinks'] = String(tl.length);
    ds['snakeLinks'] = String(sl.length);
    ds['wrongSnake'] = String(this.arcs.filter((a) => a.wrong).length);
    ds['absent'] = String(absent);
    ds['isolated'] = String(isolated);
    ds['roots'] = String(roots);
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
    void sl;
    const r = this.radius();
    // Snake: node → descending neighbour as a gently curved arc (a pair pointing at each other
    // shows as two arcs, not one line), ending at the target's rim with an arrowhead.
    layer
      .select('g.layer-snake-links')
      .selectAll<SVGPathElement, { from: number; to: number; wrong: boolean }>('path')
      .data(this.arcs)
      .join('path')
      .attr('class', (a) => `snake-link${a.wrong ? ' wrong' : ''}`)
      .attr('marker-end', (a) => `url(#${a.wrong ? 'arrow-wrong' : 'arrow-snake'})`)
      .attr('d', (a) => arcPath(px[a.from]!, py[a.from]!, px[a.to]!, py[a.to]!, r + 1))
      .selectAll('title')
      .data((a) => [a])
      .join('title')
      .text(
        (a) =>
          `${this.g.nodes[a.from]!.name} → ${this.g.nodes[a.to]!.name}: descending pointer${a.wrong ? ' — WRONG (not the greatest smaller key reachable, §6.1)' : ''}`,
      );
    lines('shortest-links', 'shortest-link', hl.shortest);
    lines('path-links', 'path-link', hl.path);
    this.drawFramesSvg();
    const md = maxDepth(st);
    const ends = new Set(hl.ends);
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
          this.isRootShown(i, st, ov) ? 'root' : '',
          i === hl.selected ? 'selected' : '',
          ends.has(i) ? 'path-end' : '',
          st.present[i] ? '' : 'absent',
          this.isolated[i] ? 'isolated' : '',
        ]
          .filter(Boolean)
          .join(' '),
      )
      .attr('data-name', (i) => this.g.nodes[i]!.name)
      .attr('cx', (i) => px[i]!)
      .attr('cy', (i) => py[i]!)
      .attr('r', (i) =>
        this.isRootShown(i, st, ov) ? r * 1.6 : !st.present[i] || this.isolated[i] ? r * 0.7 : r,
      )
      .attr('fill', (i) => this.fill(i, st, ov, md));
    this.drawLabels(hl);
  }

  private radius(): number {
    return Math.max(3, Math.min(8, 220 / Math.sqrt(this.g.nodes.length)));
  }

  /** Roots are ringed only when present and connected: a node alone is its own root trivially. */
  private isRootShown(i: number, st: NetState, ov: Overlays): boolean {
    return ov.tree && st.present[i] === 1 && st.isRoot[i] === 1 && this.isolated[i] === 0;
  }

  /** Which nodes get a name label now: all on small graphs or zoomed in, else selection and ends. */
  private labelled(hl: Highlight): number[] {
    const n = this.g.nodes.length;
    if (n <= LABEL_ALL_UP_TO || this.transform.k >= LABEL_ZOOM) {
      if (this.mode === 'svg' || n <= LABEL_ALL_UP_TO) return this.g.nodes.map((_, i) => i);
      // Canvas: only the nodes in view (at most a few hundred at this zoom).
      const [x0, y0] = this.transform.invert([0, 0]);
      const [x1, y1] = this.transform.invert([this.width, this.height]);
      const out: number[] = [];
      for (let i = 0; i < n && out.length < 400; i++)
        if (this.px[i]! >= x0 && this.px[i]! <= x1 && this.py[i]! >= y0 && this.py[i]! <= y1)
          out.push(i);
      return out;
    }
    return [...new Set([hl.selected, ...hl.ends])].filter((i) => i >= 0);
  }

  private drawLabels(hl: Highlight): void {
    const shown = this.labelled(hl);
    this.container.dataset['labels'] = String(shown.length);
    if (this.mode !== 'svg') {
      this.schedule();
      return;
    }
    const k = this.transform.k;
    const r = this.radius();
    select(this.svgLayer!)
      .select('g.layer-labels')
      .attr('font-size', 12 / k)
      .selectAll<SVGTextElement, number>('text')
      .data(shown, (i) => i)
      .join('text')
      .attr('class', 'node-label')
      .attr('x', (i) => this.px[i]! + (r + 2) / Math.max(1, k * 0.6))
      .attr('y', (i) => this.py[i]! - (r + 2) / Math.max(1, k * 0.6))
      .text((i) => this.g.nodes[i]!.name);
  }

  /** Frames in flight at the replay cursor (empty: none drawn). */
  setFrames(frames: readonly FlyingFrame[]): void {
    this.frames = frames;
    this.container.dataset['frames'] = String(frames.length);
    if (this.mode === 'svg') this.drawFramesSvg();
    else this.schedule();
  }

  private drawFramesSvg(): void {
    if (!this.svgLayer) return;
    const px = this.px;
    const py = this.py;
    const r = Math.max(2.5, this.radius() * 0.55);
    select(this.svgLayer)
      .select('g.layer-frames')
      .selectAll<SVGCircleElement, FlyingFrame>('circle')
      .data(this.frames)
      .join('circle')
      .attr('class', (f) => `frame frame-${f.type}`)
      .attr('r', r)
      .attr('fill', (f) => frameColour(f.type))
      .attr('cx', (f) => px[f.from]! + (px[f.to]! - px[f.from]!) * f.f)
      .attr('cy', (f) => py[f.from]! + (py[f.to]! - py[f.from]!) * f.f);
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
    if (ov.snake) {
      stroke(
        this.arcs.filter((a) => !a.wrong).map((a) => [a.from, a.to] as const),
        COLOURS.snake,
        1,
      );
      stroke(
        this.arcs.filter((a) => a.wrong).map((a) => [a.from, a.to] as const),
        COLOURS.wrong,
        1.6,
      );
    }
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
    if (ov.tree)
      for (let i = 0; i < n; i++) if (this.isRootShown(i, st, ov)) ring(i, COLOURS.root, 7);
    for (const e of hl.ends) ring(e, COLOURS.path, 6);
    if (hl.selected >= 0) ring(hl.selected, COLOURS.selected, 8);
    for (const f of this.frames) {
      ctx.fillStyle = frameColour(f.type);
      const x = px[f.from]! + (px[f.to]! - px[f.from]!) * f.f;
      const y = py[f.from]! + (py[f.to]! - py[f.from]!) * f.f;
      ctx.beginPath();
      ctx.arc(x, y, 3 / t.k, 0, Math.PI * 2);
      ctx.fill();
    }
    const shown = this.labelled(hl);
    this.container.dataset['labels'] = String(shown.length);
    ctx.fillStyle = '#222';
    ctx.font = `${12 / t.k}px system-ui, sans-serif`;
    for (const i of shown) ctx.fillText(this.g.nodes[i]!.name, px[i]! + 4 / t.k, py[i]! - 4 / t.k);
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
    if (this.isolated[i]) return COLOURS.isolated;
    const n = this.g.nodes.length;
    if (ov.keyColour)
      return keyColour(Math.floor((this.g.nodes[i]!.keyRank * 64) / n) * (n / 64), n);
    if (ov.tree) return depthColour(st.depth[i]!, md);
    return COLOURS.node;
  }
}

/** A slightly curved arc from (x1, y1) towards (x2, y2), stopping `gap` short of the target. */
function arcPath(x1: number, y1: number, x2: number, y2: number, gap: number): string {
  const dx = x2 - x1;
  const dy = y2 - y1;
  const len = Math.hypot(dx, dy) || 1;
  const ex = x2 - (dx / len) * gap;
  const ey = y2 - (dy / len) * gap;
  // Control point off the chord's middle, to the left of the direction of travel.
  const cx = (x1 + ex) / 2 - (dy / len) * len * 0.15;
  const cy = (y1 + ey) / 2 + (dx / len) * len * 0.15;
  return `M${x1},${y1} Q${cx},${cy} ${ex},${ey}`;
}

/**
 * The legend of the topology's colours for what is shown now: links, tree depth (0 = root) with
 * the root ring, snake pointers (right and wrong), path and shortest path, selection, absent and
 * isolated nodes, and the replay's frame types when frames are shown.
 */
export function renderTopologyLegend(
  el: HTMLElement,
  st: NetState,
  ov: Overlays,
  replay: boolean,
): void {
  const doc = el.ownerDocument;
  el.replaceChildren();
  const item = (swatch: string, text: string, title = ''): void => {
    const span = doc.createElement('span');
    span.className = 'legend-item';
    if (title) span.title = title;
    span.innerHTML = `<svg width="22" height="12" aria-hidden="true">${swatch}</svg>`;
    span.append(doc.createTextNode(text));
    el.append(span);
  };
  const line = (c: string, w: number, dash = ''): string =>
    `<line x1="1" y1="6" x2="21" y2="6" stroke="${c}" stroke-width="${w}"${dash ? ` stroke-dasharray="${dash}"` : ''}/>`;
  item(line(COLOURS.link, 1.5), 'link');
  if (ov.tree && !ov.keyColour) {
    const md = maxDepth(st);
    const steps = Math.min(md, 6);
    let chips = '';
    for (let k = 0; k <= steps; k++) {
      const d = steps === 0 ? 0 : Math.round((k * md) / steps);
      chips += `<rect x="${(k * 22) / (steps + 1)}" y="1" width="${22 / (steps + 1)}" height="10" fill="${depthColour(d, md)}"/>`;
    }
    item(
      chips,
      md === 0
        ? 'tree depth 0 (every node its own root yet)'
        : `tree depth 0–${md} (dark = near the root)`,
      'node colour: coordinate length',
    );
    item(line(COLOURS.tree, 2), 'parent link');
    item(
      `<circle cx="11" cy="6" r="4.5" fill="${depthColour(0, md)}" stroke="${COLOURS.root}" stroke-width="2"/>`,
      'root (big, ringed)',
    );
  }
  if (ov.keyColour)
    item(
      `<rect x="0" y="1" width="11" height="10" fill="${keyColour(0, 2)}"/><rect x="11" y="1" width="11" height="10" fill="${keyColour(1, 2)}"/>`,
      'key order: smallest → greatest',
    );
  if (ov.snake) {
    item(line(COLOURS.snake, 1.5), 'descending pointer →');
    item(line(COLOURS.wrong, 2), 'wrong pointer');
  }
  item(line(COLOURS.path, 4), 'recorded path');
  item(line(COLOURS.shortest, 3, '6 4'), 'shortest path');
  item(
    `<circle cx="11" cy="6" r="4.5" fill="${COLOURS.node}" stroke="${COLOURS.selected}" stroke-width="2.5"/>`,
    'selected',
  );
  item(
    `<circle cx="11" cy="6" r="3.5" fill="#fff" stroke="#999" stroke-width="1" stroke-dasharray="2 1.5"/>`,
    'absent (not running)',
  );
  item(
    `<circle cx="11" cy="6" r="3.5" fill="${COLOURS.isolated}" stroke="#777" stroke-width="1" stroke-dasharray="1.5 1.5"/>`,
    'isolated (no link)',
  );
  if (replay)
    for (const [type, colour] of Object.entries(FRAME_COLOURS).filter(([t]) => t !== 'other'))
      item(`<circle cx="11" cy="6" r="4" fill="${colour}"/>`, `${type} frame`);
}
