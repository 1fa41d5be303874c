import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InputError } from '../../base/index.ts';
import { resolveTopology } from '../index.ts';
import { buildCsr, countComponents } from '../stats.ts';
import { GENERATOR_USAGE, generate, parseGeneratorSpec } from './index.ts';

const gen = (spec: string, seed = 's') => resolveTopology(spec, { seed });
const connected = (spec: string, seed = 's') =>
  countComponents(buildCsr(gen(spec, seed).graph)).components === 1;
const degrees = (spec: string, seed = 's') => {
  const g = gen(spec, seed).graph;
  return g.mapNodes((n) => g.degree(n));
};

describe('deterministic generators', () => {
  it('line, ring, star, complete have the right shape', () => {
    const line = gen('line:50').graph;
    assert.equal(line.order, 50);
    assert.equal(line.size, 49);
    assert.deepEqual(line.nodes().slice(0, 3), ['n0', 'n1', 'n2']);
    assert.ok(line.hasEdge('n48', 'n49'));
    assert.equal(gen('ring:50').graph.size, 50);
    assert.ok(gen('ring:50').graph.hasEdge('n49', 'n0'));
    assert.equal(gen('ring:2').graph.size, 1);
    assert.equal(gen('ring:1').graph.size, 0);
    const star = gen('star:20').graph;
    assert.equal(star.order, 20);
    assert.equal(star.degree('n0'), 19);
    assert.equal(gen('complete:10').graph.size, 45);
    assert.ok(['line:50', 'ring:50', 'star:20', 'complete:10'].every((s) => connected(s)));
  });
  it('grids: 4- and 8-neighbour, positions in the unit square', () => {
    const g = gen('grid:7x7').graph;
    assert.equal(g.order, 49);
    assert.equal(g.size, 84); // 2·7·6, like shared/topologies/grid4-0049.txt
    assert.deepEqual(g.getNodeAttributes('n48'), { x: 1, y: 1 });
    assert.deepEqual(g.getNodeAttributes('n8'), { x: 1 / 6, y: 1 / 6 });
    const g8 = gen('grid8:7x7').graph;
    assert.equal(g8.size, 84 + 2 * 36);
    assert.ok(g8.hasEdge('n0', 'n8') && g8.hasEdge('n1', 'n7'));
    assert.equal(gen('grid:5x3').graph.size, 4 * 3 + 5 * 2);
    assert.ok(connected('grid:7x7') && connected('grid8:4x9'));
  });
  it('ignore the seed', () => {
    assert.equal(gen('ring:9', 'a').digest, gen('ring:9', 'b').digest);
    assert.equal(gen('ring:9').source, 'ring:9');
  });
});

describe('random generators', () => {
  const specs = ['tree:100', 'er:100,p=0.05', 'regular:100,k=4', 'ba:1000,m=2', 'geo:200,r=0.12'];
  it('are deterministic for a seed and differ between seeds', () => {
    for (const s of specs) {
      const a = gen(s, 'one');
      const b = gen(s, 'one');
      assert.equal(a.digest, b.digest, s);
      assert.deepEqual(a.graph.edges().length, b.graph.edges().length);
      assert.deepEqual(
        a.graph.mapEdges((_e, _a, x, y) => `${x}-${y}`),
        b.graph.mapEdges((_e, _a, x, y) => `${x}-${y}`),
        `${s}: same edge order`,
      );
      assert.notEqual(a.digest, gen(s, 'two').digest, `${s}: seeds differ`);
      assert.equal(a.source, `${s},seed=one`);
    }
  });
  it('spec seed= overrides the run seed', () => {
    const a = gen('tree:50,seed=x', 'one');
    assert.equal(a.digest, gen('tree:50', 'x').digest);
    assert.equal(a.digest, gen('tree:50,seed=x', 'two').digest);
    assert.equal(a.source, 'tree:50,seed=x');
  });
  it('tree: n-1 links, connected (property, fixed seed)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 300 }), fc.string(), (n, seed) => {
        const t = gen(`tree:${n}`, seed).graph;
        assert.equal(t.order, n);
        assert.equal(t.size, n - 1);
        assert.equal(countComponents(buildCsr(t)).components, 1);
      }),
      { seed: 42, numRuns: 60 },
    );
  });
  it('regular: every degree k (property, fixed seed)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 5, max: 120 }), fc.integer({ min: 1, max: 6 }), (n, k0) => {
        const k1 = Math.min(k0, n - 1);
        const k = (n * k1) % 2 === 0 ? k1 : k1 - 1;
        const g = gen(`regular:${n},k=${k}`).graph;
        assert.equal(g.size, (n * k) / 2);
        assert.ok(g.everyNode((v) => g.degree(v) === k));
      }),
      { seed: 42, numRuns: 40 },
    );
    assert.ok(connected('regular:100,k=4'));
  });
  it('ba: m(n-m) links, connected, heavy tail', () => {
    const g = gen('ba:1000,m=2').graph;
    assert.equal(g.size, 2 * 998);
    assert.ok(connected('ba:1000,m=2'));
    assert.ok(Math.max(...degrees('ba:1000,m=2')) > 25);
    assert.ok(Math.min(...degrees('ba:1000,m=2')) >= 2);
  });
  it('er: link count near p·n(n−1)/2', () => {
    const g = gen('er:400,p=0.05').graph;
    const expected = (0.05 * (400 * 399)) / 2; // 3990, sd ≈ 61
    assert.ok(Math.abs(g.size - expected) < 250, `${g.size}`);
    assert.equal(gen('er:30,p=1').graph.size, 435);
    assert.equal(gen('er:30,p=0').graph.size, 0);
  });
  it('geo: links exactly the pairs within r, positions kept', () => {
    const { graph } = gen('geo:300,r=0.1');
    const pos = graph.mapNodes((_n, a) => [a.x!, a.y!] as const);
    let within = 0;
    for (let i = 0; i < pos.length; i++) {
      for (let j = i + 1; j < pos.length; j++) {
        const dx = pos[i]![0] - pos[j]![0];
        const dy = pos[i]![1] - pos[j]![1];
        const near = dx * dx + dy * dy <= 0.01;
        if (near) within++;
        assert.equal(graph.hasEdge(`n${i}`, `n${j}`), near);
      }
    }
    assert.equal(graph.size, within);
    assert.ok(pos.every(([x, y]) => x >= 0 && x < 1 && y >= 0 && y < 1));
    assert.ok(connected('geo:200,r=0.2'));
  });
});

describe('spec grammar', () => {
  it('parses sizes and params', () => {
    assert.deepEqual(parseGeneratorSpec('grid:7x3'), {
      name: 'grid',
      n: 21,
      params: {},
      width: 7,
      height: 3,
    });
    assert.deepEqual(parseGeneratorSpec('er:10,p=0.5,seed=abc'), {
      name: 'er',
      n: 10,
      params: { p: 0.5 },
      seed: 'abc',
    });
  });
  it('every documented example works', () => {
    for (const u of GENERATOR_USAGE) assert.ok(generate(u, 's').graph.order > 0, u);
  });
  it('rejects bad specs with an InputError naming the spec', () => {
    const bad = [
      ['ring:', /node count/],
      ['ring:0', /node count/],
      ['ring:-3', /node count/],
      ['ring:1.5', /node count/],
      ['grid:7', /WIDTHxHEIGHT/],
      ['er:100', /needs p=/],
      ['er:100,p=2', /probability/],
      ['er:100,p=abc', /not a number/],
      ['er:100,q=0.1', /unknown parameter "q"/],
      ['regular:5,k=3', /even/],
      ['regular:5,k=5', /k < n/],
      ['ba:5,m=5', /m < n/],
      ['geo:10,r=0', /radius/],
      ['ring:5,seed', /key=value/],
      ['complete:100000', /too many/],
      ['line:99999999', /too many/],
      ['nope:5', /unknown generator "nope"/],
    ] as const;
    for (const [spec, pattern] of bad) {
      assert.throws(
        () => resolveTopology(spec, { seed: 's' }),
        (e: unknown) =>
          e instanceof InputError && e.message.includes(spec) && pattern.test(e.message),
        spec,
      );
    }
  });
});
