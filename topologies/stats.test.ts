import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { parseTopology, resolveTopology } from './index.ts';
import { buildCsr, formatStats, sampleSources, topologyStats } from './stats.ts';

const stats = (text: string) => topologyStats(parseTopology(text, 'mem.txt', 'pinecone'));

/** All-pairs distances by Floyd–Warshall: an independent oracle for the BFS. */
function oracle(text: string): { diameter: number; mean: number } {
  const g = parseTopology(text, 'mem.txt', 'pinecone');
  const names = g.nodes();
  const n = names.length;
  const d = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => (i === j ? 0 : Infinity)),
  );
  g.forEachEdge((_e, _a, s, t) => {
    d[names.indexOf(s)]![names.indexOf(t)] = 1;
    d[names.indexOf(t)]![names.indexOf(s)] = 1;
  });
  for (let k = 0; k < n; k++)
    for (let i = 0; i < n; i++)
      for (let j = 0; j < n; j++) {
        const v = d[i]![k]! + d[k]![j]!;
        if (v < d[i]![j]!) d[i]![j] = v;
      }
  let diameter = 0;
  let sum = 0;
  let pairs = 0;
  for (let i = 0; i < n; i++)
    for (let j = 0; j < n; j++)
      if (i !== j && d[i]![j]! < Infinity) {
        diameter = Math.max(diameter, d[i]![j]!);
        sum += d[i]![j]!;
        pairs++;
      }
  return { diameter, mean: pairs ? sum / pairs : 0 };
}

describe('topology stats', () => {
  it('counts a small disconnected graph', () => {
    const s = stats('a b c\nc d\nx y\nlonely\n');
    assert.equal(s.nodes, 7);
    assert.equal(s.links, 4);
    assert.equal(s.components, 3);
    assert.equal(s.largestComponent, 4);
    assert.equal(s.isolated, 1);
    assert.deepEqual(s.degree, { min: 0, median: 1, mean: 8 / 7, max: 2 });
    assert.equal(s.diameter, 3);
    // a-b-c-d: ordered pairs 12 with sum 2·(1+2+3+1+2+1)=20; x-y: 2 pairs sum 2
    assert.equal(s.meanDistance, 22 / 14);
    assert.equal(s.exact, true);
    assert.equal(s.sources, 7);
  });
  it('median of an even count is the mean of the middle two', () => {
    assert.equal(stats('a b c d\n').degree.median, 1.5);
    assert.equal(stats('a b c\nb d\n').degree.median, 1);
    assert.equal(stats('a b c a\nc d\n').degree.median, 2);
  });
  it('BFS agrees with Floyd–Warshall on random graphs (property, fixed seed)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 14 }), fc.integer({ min: 0, max: 14 })), {
          minLength: 1,
          maxLength: 40,
        }),
        (pairs) => {
          const text = pairs.map(([a, b]) => `v${a} v${b}`).join('\n');
          const s = stats(text);
          const o = oracle(text);
          assert.equal(s.diameter, o.diameter);
          assert.ok(Math.abs(s.meanDistance - o.mean) < 1e-12);
        },
      ),
      { seed: 42, numRuns: 150 },
    );
  });
  it('samples sources above the limit, deterministically per seed', () => {
    const g = resolveTopology('grid:30x30', { seed: 's' }).graph;
    const a = topologyStats(g, { exactLimit: 100, sampleSources: 50, seed: 'x' });
    const b = topologyStats(g, { exactLimit: 100, sampleSources: 50, seed: 'x' });
    assert.deepEqual(a, b);
    assert.equal(a.exact, false);
    assert.equal(a.sources, 50);
    assert.ok(a.diameter <= 58 && a.diameter >= 29);
    const exact = topologyStats(g);
    assert.equal(exact.diameter, 58);
    assert.ok(Math.abs(a.meanDistance - exact.meanDistance) < 3);
    assert.notDeepEqual(sampleSources(900, 50, 'x'), sampleSources(900, 50, 'y'));
    const src = sampleSources(900, 50, 'x');
    assert.equal(new Set(src).size, 50);
    assert.deepEqual(sampleSources(5, 50, 'x'), Int32Array.from([0, 1, 2, 3, 4]));
  });
  it('CSR keeps edge order per node', () => {
    const csr = buildCsr(parseTopology('a b\na c\nb c\n', 'm.txt', 'pinecone'));
    assert.deepEqual(csr.names, ['a', 'b', 'c']);
    assert.deepEqual([...csr.offsets], [0, 2, 4, 6]);
    assert.deepEqual([...csr.targets], [1, 2, 0, 2, 0, 1]);
  });
  it('reports nodes over the 253-port limit and formats a report', () => {
    const s = topologyStats(resolveTopology('star:300', { seed: 's' }).graph);
    assert.equal(s.overPortLimit, 1);
    const text = formatStats(s, 'star:300', 'abc');
    assert.match(text, /nodes {8}300/);
    assert.match(text, /more than 253 links/);
    assert.match(text, /diameter {5}2 hops \(exact/);
  });
});
