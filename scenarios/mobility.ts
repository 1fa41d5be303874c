/**
 * scenarios/mobility.ts — mobility (scenario action 'mobility'): nodes move by a trace file or the
 * random waypoint model, and peerings follow a unit disc of the given radius (links in range peer
 * by LAN discovery, links out of range are severed).
 */
import type { Micros } from '../router/types.ts';
import type { HostApi } from '../sim/host-api.ts';
import type { RandomFactory } from './random.ts';
import type { MobilityAction } from './types.ts';

const linkKey = (a: string, b: string): string => (a < b ? `${a}\u0000${b}` : `${b}\u0000${a}`);

/** Unit-disc reconciliation among `nodes`: link pairs within `radius`, unlink the others. */
function reconcile(
  host: HostApi,
  changed: (label: string) => void,
  nodes: readonly string[],
  pos: Map<string, [number, number]>,
  radius: number,
): void {
  const present = nodes.filter((n) => host.hasNode(n) && pos.has(n));
  const inSet = new Set(present);
  const r2 = radius * radius;
  // Grid of cells of side `radius`: only neighbouring cells can hold peers in range.
  const cells = new Map<string, string[]>();
  for (const n of present) {
    const [x, y] = pos.get(n) as [number, number];
    const key = `${Math.floor(x / radius)},${Math.floor(y / radius)}`;
    const c = cells.get(key);
    if (c) c.push(n);
    else cells.set(key, [n]);
  }
  let changes = 0;
  const want = new Set<string>();
  for (const n of present) {
    const [x, y] = pos.get(n) as [number, number];
    const cx = Math.floor(x / radius);
    const cy = Math.floor(y / radius);
    for (let dx = -1; dx <= 1; dx++)
      for (let dy = -1; dy <= 1; dy++)
        for (const m of cells.get(`${cx + dx},${cy + dy}`) ?? []) {
          if (m <= n) continue;
          const [mx, my] = pos.get(m) as [number, number];
          if ((mx - x) ** 2 + (my - y) ** 2 <= r2) want.add(linkKey(n, m));
        }
  }
  // Peerings between mobile nodes that are now out of range end (sorted: deterministic). The
  // host severs a discovery link: frames stop, the routers' read deadline closes it (§4.3).
  const have = new Set<string>();
  for (const n of [...present].sort())
    for (const [x, y] of host.peerings(n)) {
      const m = x === n ? y : x;
      if (n >= m || !inSet.has(m)) continue;
      const k = linkKey(n, m);
      if (want.has(k)) have.add(k);
      else {
        host.removeLink(n, m);
        changes++;
      }
    }
  // Pairs that came into range peer by LAN discovery: at the next beacon of either (§4.6).
  for (const k of [...want].sort()) {
    if (have.has(k)) continue;
    const [a, b] = k.split('\u0000') as [string, string];
    host.addLink(a, b, undefined, 'discovery');
    changes++;
  }
  if (changes > 0) changed(`mobility (${changes} link changes)`);
}

export function mobility(
  a: MobilityAction,
  host: HostApi,
  random: RandomFactory,
  end: Micros,
  setPosition: (node: string, x: number, y: number) => void,
  changed: (label: string) => void,
): void {
  const pos = new Map<string, [number, number]>();
  if (a.model === 'trace') {
    const nodes = [...new Set(a.points.map((p) => p.node))];
    let k = 0;
    while (k < a.points.length) {
      const t = (a.points[k] as { time: Micros }).time;
      let j = k;
      while (j < a.points.length && (a.points[j] as { time: Micros }).time === t) j++;
      const batch = a.points.slice(k, j);
      host.at(a.at + t, () => {
        for (const p of batch) {
          pos.set(p.node, [p.x, p.y]);
          setPosition(p.node, p.x, p.y);
        }
        reconcile(host, changed, nodes, pos, a.radius);
      });
      k = j;
    }
    return;
  }
  const rng = random(a.stream);
  const nodes = [...(a.nodes ?? host.nodeNames())];
  const [w, h] = a.area;
  interface Walker {
    x: number;
    y: number;
    tx: number;
    ty: number;
    speed: number;
    pausedUntil: Micros;
  }
  const walkers = new Map<string, Walker>();
  const speed = (): number => a.speed[0] + (a.speed[1] - a.speed[0]) * rng.next();
  for (const n of nodes) {
    const x = rng.next() * w;
    const y = rng.next() * h;
    walkers.set(n, {
      x,
      y,
      tx: rng.next() * w,
      ty: rng.next() * h,
      speed: speed(),
      pausedUntil: 0,
    });
  }
  const publish = (): void => {
    for (const [n, wk] of walkers) {
      pos.set(n, [wk.x, wk.y]);
      setPosition(n, wk.x, wk.y);
    }
  };
  publish();
  reconcile(host, changed, nodes, pos, a.radius);
  const until = a.until ?? end;
  const step = (): void => {
    const now = host.now;
    const dt = a.interval / 1_000_000;
    for (const wk of walkers.values()) {
      if (wk.pausedUntil > now) continue;
      let budget = wk.speed * dt;
      const dx = wk.tx - wk.x;
      const dy = wk.ty - wk.y;
      const dist = Math.hypot(dx, dy);
      if (dist <= budget) {
        wk.x = wk.tx;
        wk.y = wk.ty;
        budget = 0;
        // Arrived: pause, then a new waypoint and speed (random waypoint model).
        wk.pausedUntil = now + a.pause;
        wk.tx = rng.next() * w;
        wk.ty = rng.next() * h;
        wk.speed = speed();
      } else {
        wk.x += (dx / dist) * budget;
        wk.y += (dy / dist) * budget;
      }
    }
    publish();
    reconcile(host, changed, nodes, pos, a.radius);
    if (now + a.interval <= until) host.at(now + a.interval, step);
  };
  if (a.at + a.interval <= until) host.at(a.at + a.interval, step);
}
