import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { LinkInfo } from '../router/decisions/links.ts';
import type { SnekEntryInfo, SnekInputs } from '../router/decisions/snek-next-hop.ts';
import { INITIAL_WATERMARK } from '../router/keys.ts';
import { LinkType, type PublicKey } from '../router/types.ts';
import { executeScenario } from '../run/execute.ts';
import { parseScenario } from '../scenarios/load.ts';
import { explainSnekDecision } from './snek-decision.ts';

/** Keys that differ in their first byte only; node "k<b>" has key byte b. */
const k = (b: number): PublicKey => {
  const a = new Uint8Array(32);
  a[0] = b;
  return a;
};
const names = {
  key: (key: PublicKey) => `k${key[0]}`,
  port: (p: number) => `p${p}`,
};

function link(port: number, remote: number, signers: number[], up = true): LinkInfo {
  return {
    port,
    remoteKey: k(remote),
    linkType: LinkType.Pipe,
    up,
    stored: {
      announcement: {
        rootKey: k(signers[0] as number),
        rootSeq: 1,
        hops: signers.map((s, i) => ({ port: i + 1, signer: k(s), signature: new Uint8Array(64) })),
      },
      receiveTime: 0,
      receiveOrder: port,
      coords: [],
      peerCoords: [],
    },
  };
}

function inputs(
  self: number,
  dest: number,
  links: LinkInfo[],
  entries: SnekEntryInfo[],
  parent: LinkInfo | null,
  watermark = INITIAL_WATERMARK,
): SnekInputs {
  const byPort: (LinkInfo | undefined)[] = [];
  for (const l of links) byPort[l.port] = l;
  return {
    boot: false,
    dest: k(dest),
    self: k(self),
    watermark,
    parent,
    rootKey: parent?.stored?.announcement.rootKey ?? k(self),
    links,
    linkByPort: byPort,
    entries: [...entries].sort((a, b) => (a.key[0] as number) - (b.key[0] as number)),
    now: 10,
    neighExpiry: 100,
    wholeRoot: false,
  };
}

describe('explainSnekDecision (§6.6 candidates)', () => {
  it('lists each candidate with its step, relation and why, and the router’s winner', () => {
    // We are k10, root k200 via parent p1; peer p2 is k60 (child of the root through k100).
    const parent = link(1, 150, [200, 150]);
    const peer = link(2, 60, [200, 100, 60]);
    const entry = (key: number, port: number, seq: number): SnekEntryInfo => ({
      key: k(key),
      sourcePort: port,
      watermark: { key: k(key), seq },
      lastSeen: 5,
    });
    const { decision } = explainSnekDecision(
      inputs(10, 50, [parent, peer], [entry(55, 2, 7), entry(40, 2, 3)], parent),
      names,
    );
    const c = decision.candidates.map((x) => `${x.step}|${x.node}|${x.relation}|${x.outcome}`);
    assert.deepEqual(c, [
      '2a root via parent|k200|above|superseded',
      '2b parent’s ancestor|k200|above|excluded',
      '2b parent’s ancestor|k150|above|superseded',
      '3 peer or its ancestor|k200|above|excluded',
      '3 peer or its ancestor|k100|above|superseded',
      '3 peer or its ancestor|k60|above|superseded',
      '4 direct peer|k60|above|superseded',
      '5 routing table entry|k40|below|excluded',
      '5 routing table entry|k55|above|winner',
    ]);
    assert.equal(decision.winner.node, 'k55');
    assert.equal(decision.winner.via, 'p2');
    assert.ok(decision.agrees);
    assert.match(decision.candidates[7]?.why ?? '', /below the destination/);
    assert.equal(decision.watermark.key, 'FullMask');
  });

  it('says why table entries are skipped: link down, expired, worse than the watermark', () => {
    const up = link(1, 90, [90]);
    const down = link(2, 80, [80], false);
    const e = (key: number, port: number, lastSeen: number, seq = 5): SnekEntryInfo => ({
      key: k(key),
      sourcePort: port,
      watermark: { key: k(key), seq },
      lastSeen,
    });
    const { decision } = explainSnekDecision(
      inputs(10, 50, [up, down], [e(60, 2, 5), e(61, 1, -200), e(62, 1, 5, 2)], null, {
        key: k(62),
        seq: 3,
      }),
      names,
    );
    const why = decision.candidates.filter((x) => x.step.startsWith('5')).map((x) => x.why);
    assert.deepEqual(why.length, 3);
    assert.match(why[0] ?? '', /source link is down/);
    assert.match(why[1] ?? '', /expired/);
    assert.match(why[2] ?? '', /watermark is worse/);
    assert.ok(decision.agrees);
  });

  it('ends on the router’s own choice for random small inputs (seeded property)', () => {
    const key = fc.integer({ min: 1, max: 250 });
    fc.assert(
      fc.property(
        key,
        key,
        fc.array(fc.tuple(key, fc.array(key, { minLength: 1, maxLength: 4 }), fc.boolean()), {
          minLength: 1,
          maxLength: 4,
        }),
        fc.array(fc.tuple(key, fc.nat(3), fc.nat(5)), { maxLength: 5 }),
        fc.boolean(),
        (self, dest, ls, es, withParent) => {
          const links = ls.map(([remote, signers, up], i) =>
            link(i + 1, remote, [...signers, remote], up),
          );
          const seen = new Set<number>();
          const entries = es
            .filter(([kk]) => !seen.has(kk) && seen.add(kk))
            .map(([kk, port, seq]) => ({
              key: k(kk),
              sourcePort: port + 1,
              watermark: { key: k(kk), seq },
              lastSeen: 5,
            }));
          const parent = withParent ? (links[0] as LinkInfo) : null;
          const { decision } = explainSnekDecision(
            inputs(self, dest, links, entries, parent),
            names,
          );
          assert.ok(decision.agrees, JSON.stringify(decision));
          assert.ok(decision.candidates.filter((c) => c.outcome === 'winner').length <= 1);
        },
      ),
      { seed: 20, numRuns: 800 },
    );
  });

  it('a small run records a decision on every SNEK hop of paths.json, each agreeing', () => {
    const r = executeScenario(
      parseScenario(
        '{ "seed": "1", "topology": "ring:6", "duration": "10s", "measure": { "paths": true } }',
        'sc.json',
      ),
    );
    const snek = (r.data.paths ?? []).filter((p) => p.mode === 'snek');
    assert.ok(snek.length > 0);
    for (const p of snek)
      for (const h of p.hops) {
        assert.ok(h.decision, `${p.source}→${p.destination} at ${h.node}`);
        assert.ok(h.decision.agrees);
      }
    const other = (r.data.paths ?? []).filter((p) => p.mode !== 'snek');
    assert.ok(other.every((p) => p.hops.every((h) => h.decision === undefined)));
  });
});
