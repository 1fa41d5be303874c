import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Micros } from '../router/types.ts';
import type { HostApi, ProbeRoute, TrafficOutcome } from '../sim/host-api.ts';
import { buildCsr } from './graph.ts';
import { ProbeLedger } from './probe-ledger.ts';

/** Just what the ledger uses of a host: probes sent are recorded, actions run when asked. */
class Wire {
  now: Micros = 0;
  readonly sent: { source: string; destination: string; id: number; route: ProbeRoute }[] = [];
  readonly actions: (() => void)[] = [];
  readonly present = new Set(['a', 'b', 'c']);
  readonly api = {
    get now(): Micros {
      return 0;
    },
    hasNode: (n: string) => this.present.has(n),
    sendProbe: (source: string, destination: string, id: number, route: ProbeRoute) => {
      this.sent.push({ source, destination, id, route });
    },
    at: (_t: Micros, action: () => void) => {
      this.actions.push(action);
    },
  } as unknown as HostApi;
  runActions(): void {
    for (let a = this.actions.shift(); a !== undefined; a = this.actions.shift()) a();
  }
}

function arrived(id: number, reached: string, hops: number): TrafficOutcome {
  return { id, source: '', destination: '', reached, hops, dropReason: null, at: 0 };
}

const line = buildCsr(
  ['a', 'b', 'c'],
  [
    ['a', 'b'],
    ['b', 'c'],
  ],
);

test('hybrid is a three-packet conversation: S→D, D→S, S→D; the third is measured, the first kept apart', () => {
  const w = new Wire();
  const ledger = new ProbeLedger(w.api);
  const rng = { next: () => 0.5, int: (n: number) => n - 1 } as never;
  ledger.measure(line, ['hybrid'], 10, 10, rng, false);
  const first = w.sent.find((p) => p.source === 'a' && p.destination === 'c');
  assert.ok(first !== undefined);
  assert.equal(first.route, 'auto');
  ledger.outcome(arrived(first.id, 'c', 4));
  w.runActions();
  const reply = w.sent.at(-1);
  assert.deepEqual([reply?.source, reply?.destination, reply?.route], ['c', 'a', 'auto']);
  // A late duplicate of packet 1 is not the conversation's packet in flight.
  ledger.outcome(arrived(first.id, 'c', 9));
  ledger.outcome(arrived(reply?.id as number, 'a', 2));
  w.runActions();
  const third = w.sent.at(-1);
  assert.deepEqual([third?.source, third?.destination], ['a', 'c']);
  ledger.outcome(arrived(third?.id as number, 'c', 2));
  const s = ledger.summary();
  const row = s.pairs.find((p) => p.source === 'a' && p.destination === 'c');
  assert.equal(row?.outcome, 'delivered');
  assert.equal(row?.hops, 2);
  assert.equal(row?.stretch, 1);
  // hybridFirst counts packet 1's 4 hops over a shortest of 2.
  assert.equal(s.hybridFirst?.max, 2);
});

test('a conversation whose end leaves between packets is lost; traffic probes to absent nodes are not sent', () => {
  const w = new Wire();
  const ledger = new ProbeLedger(w.api);
  ledger.sendTraffic('a', 'c', 'hybrid');
  ledger.sendTraffic('a', 'zz', 'snek');
  assert.equal(w.sent.length, 1);
  ledger.outcome(arrived(w.sent[0]?.id as number, 'c', 2));
  w.present.delete('c');
  w.runActions();
  assert.equal(ledger.pending, 0);
  assert.deepEqual(ledger.summary().traffic.hybrid, {
    sent: 1,
    delivered: 0,
    misdelivered: 0,
    dropped: {},
    lost: 1,
  });
});
