/**
 * scenarios/workloads.ts — the scenario's random and periodic processes other than mobility: node
 * and link churn, and traffic (pings, all pairs, sampled pairs, flows). Each draws from its own
 * named stream and schedules through HostApi.at, so its draws follow event order.
 */
import type { Micros } from '../router/types.ts';
import type { HostApi } from '../sim/host-api.ts';
import { type RandomFactory, type Rng, sample } from './random.ts';
import type { ChurnAction, ProbeMode, TrafficAction } from './types.ts';

/**
 * Churn: node churn takes the node away and brings it back (the host re-dials its peerings,
 * sim/peering.ts); link churn removes the peering and adds it again (same attributes). An element
 * another action took away meanwhile is skipped until its next session.
 */
export function churn(
  a: ChurnAction,
  host: HostApi,
  rng: Rng,
  end: Micros,
  changed: (label: string) => void,
): void {
  const until = a.until ?? end;
  const excluded = new Set(a.exclude);
  if (a.target === 'node') {
    const nodes = (a.nodes ?? host.nodeNames()).filter((n) => !excluded.has(n));
    for (const n of nodes) {
      const fail = (): void => {
        if (host.now > until) return;
        if (!host.hasNode(n)) {
          // Removed by another action meanwhile: try again after another session.
          host.at(host.now + sample(a.session, rng), fail);
          return;
        }
        host.removeNode(n);
        changed(`churn down ${n}`);
        host.at(host.now + sample(a.downtime, rng), () => {
          if (!host.hasNode(n)) {
            host.addNode(n);
            changed(`churn up ${n}`);
          }
          host.at(host.now + sample(a.session, rng), fail);
        });
      };
      host.at(a.at + sample(a.session, rng), fail);
    }
  } else {
    const only = a.nodes === null ? null : new Set(a.nodes);
    const links = host
      .peerings()
      .filter(
        ([x, y]) =>
          !excluded.has(x) && !excluded.has(y) && (only === null || only.has(x) || only.has(y)),
      );
    for (const [x, y] of links) {
      const fail = (): void => {
        if (host.now > until) return;
        const removed = isIntended(host, x, y);
        if (removed) {
          host.removeLink(x, y);
          changed(`churn down ${x} ${y}`);
        }
        host.at(host.now + sample(a.downtime, rng), () => {
          if (removed && host.addLink(x, y)) changed(`churn up ${x} ${y}`);
          host.at(host.now + sample(a.session, rng), fail);
        });
      };
      host.at(a.at + sample(a.session, rng), fail);
    }
  }
}

function isIntended(host: HostApi, x: string, y: string): boolean {
  for (const [p, q] of host.peerings(x)) if ((p === x ? q : p) === y) return true;
  return false;
}

// --- traffic --------------------------------------------------------------------------------

export function traffic(
  a: TrafficAction,
  host: HostApi,
  random: RandomFactory,
  end: Micros,
  send: (source: string, destination: string, mode: ProbeMode) => void,
): void {
  switch (a.kind) {
    case 'ping':
      for (let k = 0; k < a.count; k++)
        host.at(a.at + k * a.interval, () => {
          for (const [s, d] of a.pairs) send(s, d, a.mode);
        });
      return;
    case 'all-pairs':
    case 'sample': {
      const nodes = [...host.nodeNames()];
      if (a.kind === 'all-pairs') {
        for (const s of nodes) for (const d of nodes) if (s !== d) send(s, d, a.mode);
        return;
      }
      if (nodes.length < 2) return;
      const rng = random(a.stream);
      for (let k = 0; k < a.sample; k++) {
        const s = nodes[Math.floor(rng.next() * nodes.length)] as string;
        let d = s;
        while (d === s) d = nodes[Math.floor(rng.next() * nodes.length)] as string;
        send(s, d, a.mode);
      }
      return;
    }
    case 'flow': {
      const gap = Math.max(1, Math.round(1_000_000 / a.rate));
      const until = a.until ?? end;
      const tick = (): void => {
        send(a.source, a.destination, a.mode);
        if (host.now + gap <= until) host.at(host.now + gap, tick);
      };
      tick();
      return;
    }
  }
}
