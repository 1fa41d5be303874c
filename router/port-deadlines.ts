/**
 * router/port-deadlines.ts — which links are due a look from the port check (PROTOCOL.md §4.3):
 * a keepalive owed (the writer idle for the keepalive interval) or the read deadline passed.
 *
 * The plain check scans every link at every firing and re-arms for the earliest due. A hub's
 * links fall due one after another, so it fired about once per link per interval and each firing
 * scanned all of them: O(links²) per interval, a tenth of a run with 253-port hubs. Here the links
 * sit in a binary heap by due time. Dues only move later between checks (every send and receive
 * pushes them), so an entry's time is a lower bound of the link's real due: entries are refreshed
 * lazily, when they reach the top. A firing therefore finds exactly the links the plain scan
 * finds, and the earliest due it re-arms for is exact (port-deadlines.test.ts checks both against
 * the plain scan).
 */
import type { Micros, Port } from './types.ts';

/** What the check reads of a link (router/peers.ts Link). */
export interface DeadlineLink {
  readonly port: Port;
  /** False once the link is gone: its entry is dropped when met. */
  readonly up: boolean;
  readonly lastSent: Micros;
  readonly lastReceived: Micros;
  readonly keepaliveFloor: Micros;
}

/**
 * When the writer of `link` next owes a keepalive (§4.3: idle for `interval`), unless it sends
 * something first: `interval` after its last send, or later when a check found it busy
 * (Link.keepaliveFloor).
 */
export function keepaliveDue(link: DeadlineLink, interval: Micros): Micros {
  return Math.max(link.lastSent + interval, link.keepaliveFloor);
}

/**
 * When `link` next needs a look: its keepalive due or its read deadline (nothing received for
 * `timeout`), whichever comes first.
 */
export function portDue(link: DeadlineLink, interval: Micros, timeout: Micros): Micros {
  return Math.min(keepaliveDue(link, interval), link.lastReceived + timeout);
}

export class PortDeadlines<L extends DeadlineLink> {
  /**
   * Heap order by (due, port) over [0, count); a plain number array stays unboxed doubles. The
   * arrays are never shortened and are grown to exactly one more entry when full (add): a router
   * files two or three links, and arrays grown by push carried V8's 16-odd empty slots each.
   * Slots past `count` hold undefined (links) so a link taken out is not kept alive here.
   */
  private links: (L | undefined)[] = [];
  private due: number[] = [];
  private count = 0;
  /**
   * The links the last takeDue took, at [0, n): the caller's to read and to clear (set each slot
   * it has read to undefined, so no link is kept past the check). Grown like the heap's arrays.
   */
  taken: (L | undefined)[] = [];

  /** Entries held (links that are gone included until met). */
  get size(): number {
    return this.count;
  }

  /** File `link` at `due` (a link is filed once: on connect, and again after each look). */
  add(link: L, due: Micros): void {
    const i = this.count;
    if (i === this.links.length) {
      this.links = this.links.concat([link]);
      this.due = this.due.concat([due]);
    } else {
      this.links[i] = link;
      this.due[i] = due;
    }
    this.count = i + 1;
    this.up(i);
  }

  /**
   * Move into taken[0, n) every up link whose real due is ≤ now, each once, in ascending port
   * order, taking them out of the heap, and return n: the caller files each one that is still up
   * again after looking at it. Links met that are gone are dropped; links not due yet are re-filed
   * at their real due. What `taken` holds past n is never read.
   */
  takeDue(now: Micros, interval: Micros, timeout: Micros): number {
    let n = 0;
    while (this.count > 0 && (this.due[0] as number) <= now) {
      const link = this.pop();
      if (!link.up) continue;
      const real = portDue(link, interval, timeout);
      if (real <= now) {
        if (n === this.taken.length) this.taken = this.taken.concat([link]);
        else this.taken[n] = link;
        n++;
      } else this.add(link, real);
    }
    // Port order by insertion: a check takes a handful of links, and Array.prototype.sort would
    // need the array cut to n.
    const out = this.taken;
    for (let i = 1; i < n; i++) {
      const link = out[i] as L;
      let j = i - 1;
      for (; j >= 0 && (out[j] as L).port > link.port; j--) out[j + 1] = out[j];
      out[j + 1] = link;
    }
    return n;
  }

  /** The earliest real due of an up link, or +Infinity (stale entries on top are refreshed). */
  next(interval: Micros, timeout: Micros): Micros {
    while (this.count > 0) {
      const link = this.links[0] as L;
      if (!link.up) {
        this.pop();
        continue;
      }
      const real = portDue(link, interval, timeout);
      if (real === this.due[0]) return real;
      // Later than filed (dues only move later): re-file; the top is exact once it holds still.
      this.pop();
      this.add(link, real);
    }
    return Number.POSITIVE_INFINITY;
  }

  private before(i: number, j: number): boolean {
    const a = this.due[i] as number;
    const b = this.due[j] as number;
    return a < b || (a === b && (this.links[i] as L).port < (this.links[j] as L).port);
  }

  private swap(i: number, j: number): void {
    const links = this.links;
    const due = this.due;
    const l = links[i] as L;
    links[i] = links[j] as L;
    links[j] = l;
    const d = due[i] as number;
    due[i] = due[j] as number;
    due[j] = d;
  }

  private up(i: number): void {
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) return;
      this.swap(i, parent);
      i = parent;
    }
  }

  private pop(): L {
    const links = this.links;
    const top = links[0] as L;
    const last = this.count - 1;
    this.swap(0, last);
    links[last] = undefined;
    this.count = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      if (l >= last) break;
      const r = l + 1;
      const c = r < last && this.before(r, l) ? r : l;
      if (!this.before(c, i)) break;
      this.swap(c, i);
      i = c;
    }
    return top;
  }
}
