/**
 * results/convergence.ts — is each node's tree and snake state the correct one for the current
 * topology? Pure function of the node views and the up links.
 *
 * Tree correct (PROTOCOL.md §1.2, §5.7, checklist 22/24): the node's root key is the greatest key of
 * its connected component, with that root's own current sequence; the root has no parent and
 * coordinates []; any other node has a parent in its component whose coordinates plus the port
 * the parent uses towards this node equal the node's coordinates (§5.2: coordinates are the hop
 * ports of the parent's announcement).
 * Snake correct (§6.1, checklist 35): the descending pointer is the true predecessor, the greatest
 * key smaller than the node's own in its component (none for the smallest key).
 */
import { toHex } from '../router/keys.ts';
import type { PublicKey, RouterView } from '../router/types.ts';
import { type Csr, components } from './graph.ts';

export interface ConvergenceState {
  readonly tree: Uint8Array;
  readonly snake: Uint8Array;
  /** Component id per node and the root (index of the greatest key) per component. */
  readonly component: Int32Array;
  readonly rootOfComponent: Int32Array;
  /** Hex key per node (same order as the graph's names). */
  readonly keys: readonly string[];
}

const hexCache = new WeakMap<PublicKey, string>();
/** Hex of a key, cached per key object (views hand out the same arrays again and again). */
export function keyHex(key: PublicKey): string {
  let h = hexCache.get(key);
  if (h === undefined) {
    h = toHex(key);
    hexCache.set(key, h);
  }
  return h;
}

export function evaluateConvergence(g: Csr, views: readonly RouterView[]): ConvergenceState {
  const n = g.names.length;
  const keys = views.map((v) => keyHex(v.key));
  const byKey = new Map<string, number>();
  keys.forEach((k, i) => {
    byKey.set(k, i);
  });
  const comp = components(g);
  let ncomp = 0;
  for (let i = 0; i < n; i++) ncomp = Math.max(ncomp, (comp[i] as number) + 1);
  // Lower-case fixed-length hex compares like the big-endian keys (§2).
  const rootOf = new Int32Array(ncomp).fill(-1);
  for (let i = 0; i < n; i++) {
    const c = comp[i] as number;
    const r = rootOf[c] as number;
    if (r === -1 || (keys[i] as string) > (keys[r] as string)) rootOf[c] = i;
  }
  // Predecessor: sort node indices by (component, key).
  const order = Array.from({ length: n }, (_, i) => i);
  order.sort(
    (a, b) =>
      (comp[a] as number) - (comp[b] as number) || cmp(keys[a] as string, keys[b] as string),
  );
  const pred = new Int32Array(n).fill(-1);
  for (let k = 1; k < n; k++) {
    const a = order[k - 1] as number;
    const b = order[k] as number;
    if (comp[a] === comp[b]) pred[b] = a;
  }
  const tree = new Uint8Array(n);
  const snake = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const v = views[i] as RouterView;
    const root = rootOf[comp[i] as number] as number;
    const rootView = views[root] as RouterView;
    // Snake.
    const p = pred[i] as number;
    const desc = v.descendingKey === null ? null : keyHex(v.descendingKey);
    snake[i] = (p === -1 ? desc === null : desc === keys[p]) ? 1 : 0;
    // Tree.
    if (keyHex(v.rootKey) !== keys[root]) continue;
    if (i === root) {
      tree[i] = v.parentKey === null && v.coords.length === 0 ? 1 : 0;
      continue;
    }
    if (v.rootSeq !== rootView.rootSeq || v.parentKey === null) continue;
    const parent = byKey.get(keyHex(v.parentKey));
    if (parent === undefined || comp[parent] !== comp[i]) continue;
    const pv = views[parent] as RouterView;
    if (pv.coords.length + 1 !== v.coords.length) continue;
    let ok = true;
    for (let k = 0; k < pv.coords.length; k++) if (pv.coords[k] !== v.coords[k]) ok = false;
    if (!ok) continue;
    const last = v.coords[v.coords.length - 1];
    const myKey = keys[i];
    tree[i] = pv.peers.some((q) => q.port === last && keyHex(q.key) === myKey) ? 1 : 0;
  }
  return { tree, snake, component: comp, rootOfComponent: rootOf, keys };
}

function cmp(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
