import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InputError } from '../base/index.ts';
import { canonicalText, formatOf, resolveTopology } from './index.ts';

const examples = (name: string) => fileURLToPath(new URL(`../examples/${name}`, import.meta.url));

describe('resolveTopology', () => {
  it('picks formats by extension or option', () => {
    assert.equal(formatOf('a/b.TXT'), 'pinecone');
    assert.equal(formatOf('x.csv'), 'edgelist');
    assert.equal(formatOf('x.tsv'), 'edgelist');
    assert.equal(formatOf('x.gexf'), 'gexf');
    assert.equal(formatOf('x.whatever', 'json'), 'json');
    assert.throws(() => formatOf('x.whatever'), InputError);
    assert.throws(() => formatOf('x.txt', 'yaml'), /unknown topology format "yaml"/);
  });
  it('returns graph, source and digest for files and generators', () => {
    const file = resolveTopology(examples('tiny.txt'), { seed: 's' });
    assert.equal(file.source, examples('tiny.txt'));
    assert.equal(file.graph.order, 5);
    assert.match(file.digest, /^[0-9a-f]{64}$/);
    const gen = resolveTopology('er:20,p=0.3', { seed: 's' });
    assert.equal(gen.source, 'er:20,p=0.3,seed=s');
  });
  it('examples/demo.txt is the connected 48-node mesh it was generated as', () => {
    const demo = resolveTopology(examples('demo.txt'), { seed: 'ignored' });
    assert.equal(demo.graph.order, 48);
    assert.equal(demo.digest, resolveTopology('geo:48,r=0.22,seed=6', { seed: 'x' }).digest);
    assert.deepEqual(demo.graph.nodes().slice(0, 3), ['n0', 'n1', 'n2']);
  });
  it('explains mistakes', () => {
    assert.throws(() => resolveTopology('', { seed: 's' }), /empty topology/);
    assert.throws(() => resolveTopology('rnig:5', { seed: 's' }), /unknown generator "rnig"/);
    assert.throws(
      () => resolveTopology('ring:5', { seed: 's', format: 'json' }),
      /applies to files/,
    );
    assert.throws(() => resolveTopology('missing.txt', { seed: 's' }), /missing.txt: no such file/);
  });
  it('canonical text sorts links and lists isolated nodes', () => {
    const t = resolveTopology('star:3', { seed: 's' });
    assert.equal(canonicalText(t.graph), 'pinelab-topology v1\nedge\tn0\tn1\nedge\tn0\tn2\n');
  });
});
