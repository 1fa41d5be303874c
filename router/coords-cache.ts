/**
 * router/coords-cache.ts — remote key → remote tree coordinates for hybrid routing
 * (PROTOCOL.md §1.3, §7.2) [router/state.go: _coordsCache, _cleanCachedCoords].
 */
import { toHex } from './keys.ts';
import type { Coordinates, Micros, PublicKey } from './types.ts';

interface CacheEntry {
  coords: Coordinates;
  lastSeen: Micros;
}

export class CoordsCache {
  // Keyed by hex key. Only lookups, inserts and age-based deletes: iteration order never
  // influences routing, so the Map's insertion order is harmless for determinism.
  // Made on first use: most routers of a convergence run never receive traffic, and an empty Map
  // is ~180 B of every router's heap.
  private map: Map<string, CacheEntry> | null = null;

  private get entries(): Map<string, CacheEntry> {
    if (this.map === null) this.map = new Map();
    return this.map;
  }

  get size(): number {
    return this.map === null ? 0 : this.map.size;
  }

  /** Refreshed by every traffic frame for us carrying non-empty source coordinates (§7.1 step 1). */
  set(key: PublicKey, coords: Coordinates, now: Micros): void {
    const h = toHex(key);
    const e = this.entries.get(h);
    if (e === undefined) this.entries.set(h, { coords, lastSeen: now });
    else {
      e.coords = coords;
      e.lastSeen = now;
    }
  }

  /** Cached coordinates younger than `lifetime`, else null (§7.2: fresh = < 60 s old). */
  get(key: PublicKey, now: Micros, lifetime: Micros): Coordinates | null {
    if (this.map === null) return null;
    const e = this.map.get(toHex(key));
    if (e === undefined || now - e.lastSeen >= lifetime) return null;
    return e.coords;
  }

  /** Periodic sweep: remove entries ≥ lifetime old (§7.2). */
  sweep(now: Micros, lifetime: Micros): void {
    const map = this.map;
    if (map === null) return;
    for (const [k, e] of map) if (now - e.lastSeen >= lifetime) map.delete(k);
  }

  clear(): void {
    this.map?.clear();
  }
}
