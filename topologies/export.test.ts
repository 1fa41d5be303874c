import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../base/index.ts';
import { exportFormatOf, exportTopology } from './export.ts';
import { topologyDigest } from './graph.ts';
import { FORMATS, parseTopology, resolveTopology, type Topology } from './index.ts';

const edgeList = (t: Topology['graph']) => t.mapEdges((_e, _a, s, u) => `${s}-${u}`);

function roundTrip(topo: Topology, format: (typeof FORMATS)[number]) {
  const { text, dropped } = exportTopology(topo.graph, format);
  const back = parseTopology(text, `rt.${format}`, format);
  return { back, dropped };
}

describe('export round trips', () => {
  const sources = [
    resolveTopology('geo:60,r=0.2', { seed: 'rt' }), // positions, nodes out of edge order
    resolveTopology('ba:80,m=2', { seed: 'rt' }),
    resolveTopology('line:5', { seed: 'rt' }),
    {
      ...resolveTopology('ring:3', { seed: 'rt' }),
      graph: parseTopology('a b 5ms 10M\nb c - 1G 0.25\nc a 7\nz\n', 'x.edges', 'edgelist'),
    },
  ];
  for (const format of FORMATS) {
    it(`${format}: same nodes in order, same edges in order, same digest`, () => {
      for (const topo of sources) {
        const { back, dropped } = roundTrip(topo, format);
        assert.deepEqual(back.nodes(), topo.graph.nodes());
        assert.deepEqual(edgeList(back), edgeList(topo.graph));
        if (format === 'pinecone') {
          // No attributes in the path format: compare the bare structure.
          const bare = parseTopology(
            exportTopology(topo.graph, 'pinecone').text,
            'b.txt',
            'pinecone',
          );
          assert.equal(topologyDigest(back), topologyDigest(bare));
          continue;
        }
        assert.equal(topologyDigest(back), topologyDigest(topo.graph));
        if (format !== 'edgelist') {
          back.forEachNode((n, a) => assert.deepEqual(a, topo.graph.getNodeAttributes(n)));
          assert.deepEqual(dropped, []);
        }
        back.forEachEdge((_e, a, s, t) => assert.deepEqual(a, topo.graph.getEdgeAttributes(s, t)));
      }
    });
  }
  it('pinecone export says what it dropped', () => {
    const topo = resolveTopology('geo:20,r=0.3', { seed: 'x' });
    assert.deepEqual(exportTopology(topo.graph, 'pinecone').dropped, ['x/y']);
    const g = parseTopology('a b 5ms\n', 'x.edges', 'edgelist');
    assert.deepEqual(exportTopology(g, 'pinecone').dropped, ['latency']);
    assert.equal(exportTopology(g, 'pinecone').text, 'a b\n');
  });
  it('the digest does not depend on the format or on order', () => {
    const a = parseTopology('a b c\n', 'a.txt', 'pinecone');
    const b = parseTopology('c b\nb a\n', 'b.txt', 'pinecone');
    const c = parseTopology(
      '{"nodes":[{"key":"b"},{"key":"a"},{"key":"c"}],"edges":[{"source":"b","target":"c"},{"source":"a","target":"b"}]}',
      'c.json',
      'json',
    );
    assert.equal(topologyDigest(a), topologyDigest(b));
    assert.equal(topologyDigest(a), topologyDigest(c));
    assert.notEqual(
      topologyDigest(a),
      topologyDigest(parseTopology('a b\nb c\nd\n', 'd.txt', 'pinecone')),
    );
    assert.notEqual(
      topologyDigest(a),
      topologyDigest(parseTopology('a b 1ms\nb c\n', 'e.edges', 'edgelist')),
    );
  });
  it('refuses names a text format cannot hold, and unknown extensions', () => {
    const g = parseTopology('{"nodes":[{"key":"a b"}],"edges":[]}', 'x.json', 'json');
    assert.throws(() => exportTopology(g, 'pinecone'), InputError);
    assert.doesNotThrow(() => exportTopology(g, 'graphml'));
    assert.equal(exportFormatOf('x.GraphML'), 'graphml');
    assert.equal(exportFormatOf('x', 'json'), 'json');
    assert.throws(() => exportFormatOf('x.png'), InputError);
  });
});
