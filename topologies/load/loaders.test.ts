import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InputError } from '../../base/index.ts';
import { loadTopologyFile, parseTopology } from '../index.ts';
import { parseBandwidth, parseLatency, parseLoss } from './edgelist.ts';
import { firstInvalidUtf8, readCapped } from './text.ts';

const fixture = (name: string) =>
  fileURLToPath(new URL(`../../test/fixtures/topologies/${name}`, import.meta.url));

const edges = (g: ReturnType<typeof parseTopology>) => g.mapEdges((_e, _a, s, t) => `${s}-${t}`);

/** Asserts an InputError whose message names the file (and the line, when given). */
function throwsInput(f: () => unknown, file: string, line: number | undefined, pattern: RegExp) {
  assert.throws(f, (error: unknown) => {
    assert.ok(error instanceof InputError, `expected InputError, got ${String(error)}`);
    assert.ok(error.message.includes(file), `message names the file: ${error.message}`);
    if (line !== undefined) {
      assert.ok(error.message.includes(`${file}:${line}:`), `names line ${line}: ${error.message}`);
    }
    assert.match(error.message, pattern);
    return true;
  });
}

describe('pinecone path format', () => {
  it('reads a line as a path, keeps first-appearance order, ignores repeats and self loops', () => {
    const g = parsePinecone('b a c\nc a\na b \nx x\ny\n\n  z   w  \n');
    assert.deepEqual(g.nodes(), ['b', 'a', 'c', 'x', 'y', 'z', 'w']);
    assert.deepEqual(edges(g), ['b-a', 'a-c', 'z-w']);
    assert.equal(g.degree('x'), 0);
  });
  it('accepts CRLF line ends and trailing spaces', () => {
    const g = parsePinecone('a b \r\nb c\r\n');
    assert.deepEqual(g.nodes(), ['a', 'b', 'c']);
    assert.equal(g.size, 2);
  });
  it('loads the good fixture', () => {
    const g = loadTopologyFile(fixture('good.txt'));
    assert.equal(g.order, 4);
    assert.equal(g.size, 4);
  });
  it('refuses empty, blank, NUL and invalid UTF-8 files with file and line', () => {
    throwsInput(() => loadTopologyFile(fixture('empty.txt')), 'empty.txt', undefined, /empty file/);
    throwsInput(() => loadTopologyFile(fixture('blank.txt')), 'blank.txt', undefined, /empty file/);
    throwsInput(() => loadTopologyFile(fixture('nul.txt')), 'nul.txt', 2, /binary data/);
    throwsInput(() => loadTopologyFile(fixture('bad-utf8.txt')), 'bad-utf8.txt', 3, /UTF-8/);
  });
  it('refuses a missing file, a directory and an unknown extension', () => {
    throwsInput(() => loadTopologyFile('/nonexistent/x.txt'), 'x.txt', undefined, /no such file/);
    throwsInput(() => loadTopologyFile(fixture('')), 'topologies', undefined, /directory/);
    throwsInput(() => loadTopologyFile(fixture('unknown.xyz')), 'unknown.xyz', undefined, /format/);
    throwsInput(
      () => loadTopologyFile(fixture('good.txt'), 'dot'),
      'dot',
      undefined,
      /unknown topology format/,
    );
  });
  it('refuses control characters in names', () => {
    throwsInput(
      () => parseTopology('a b\nc \u0007d\n', 'f.txt', 'pinecone'),
      'f.txt',
      2,
      /control/,
    );
  });
});

function parsePinecone(text: string) {
  return parseTopology(text, 'mem.txt', 'pinecone');
}

describe('edge list', () => {
  it('parses units', () => {
    assert.equal(parseLatency('5ms'), 5000);
    assert.equal(parseLatency('250'), 250);
    assert.equal(parseLatency('250us'), 250);
    assert.equal(parseLatency('250µs'), 250);
    assert.equal(parseLatency('0.2s'), 200_000);
    assert.equal(parseLatency('1.5ms'), 1500);
    assert.equal(parseLatency('-5ms'), undefined);
    assert.equal(parseLatency('5 ms'), undefined);
    assert.equal(parseLatency('fast'), undefined);
    assert.equal(parseBandwidth('10Mbps'), 10_000_000);
    assert.equal(parseBandwidth('1G'), 1_000_000_000);
    assert.equal(parseBandwidth('56k'), 56_000);
    assert.equal(parseBandwidth('9600'), 9600);
    assert.equal(parseBandwidth('0'), undefined);
    assert.equal(parseBandwidth('10Tbps'), undefined);
    assert.equal(parseLoss('1%'), 0.01);
    assert.equal(parseLoss('0.5'), 0.5);
    assert.equal(parseLoss('1.5'), undefined);
  });
  it('loads the good .edges fixture with attributes, comments and an isolated node', () => {
    const g = loadTopologyFile(fixture('good.edges'));
    assert.deepEqual(g.nodes(), ['a', 'b', 'c', 'd', 'e']);
    assert.deepEqual(edges(g), ['a-b', 'b-c', 'c-d', 'd-a']);
    assert.deepEqual(g.getEdgeAttributes('a', 'b'), { latency: 5000, bandwidth: 10_000_000 });
    assert.deepEqual(g.getEdgeAttributes('b', 'c'), {
      latency: 250,
      bandwidth: 1_000_000_000,
      loss: 0.01,
    });
    assert.deepEqual(g.getEdgeAttributes('c', 'd'), { bandwidth: 56_000 });
    assert.deepEqual(g.getEdgeAttributes('d', 'a'), {});
  });
  it('loads CSV with a header and empty fields', () => {
    const g = loadTopologyFile(fixture('good.csv'));
    assert.deepEqual(g.nodes(), ['a', 'b', 'c', 'd']);
    assert.deepEqual(g.getEdgeAttributes('c', 'd'), { bandwidth: 56_000 });
    assert.deepEqual(g.getEdgeAttributes('b', 'c'), {
      latency: 250,
      bandwidth: 1_000_000_000,
      loss: 0.01,
    });
  });
  it('keeps the first attributes of a repeated link', () => {
    const g = parseTopology('a b 1ms\nb a 2ms\n', 'x.edges', 'edgelist');
    assert.equal(g.size, 1);
    assert.equal(g.getEdgeAttribute('a', 'b', 'latency'), 1000);
  });
  it('names file and line of a malformed line', () => {
    throwsInput(
      () => loadTopologyFile(fixture('bad-latency.edges')),
      'bad-latency.edges',
      3,
      /bad latency "5parsecs"/,
    );
    throwsInput(() => loadTopologyFile(fixture('too-many.edges')), 'too-many.edges', 2, /fields/);
    throwsInput(() => loadTopologyFile(fixture('bad-loss.csv')), 'bad-loss.csv', 1, /bad loss/);
    throwsInput(
      () => parseTopology('a b\nb c 1ms nope\n', 'x.tsv', 'edgelist'),
      'x.tsv',
      2,
      /bad bandwidth/,
    );
    throwsInput(
      () => parseTopology('# only\n# comments\n', 'c.edges', 'edgelist'),
      'c.edges',
      undefined,
      /no nodes/,
    );
  });
});

describe('GraphML', () => {
  it('loads nodes, positions, latency; drops self loops and parallel edges', () => {
    const g = loadTopologyFile(fixture('good.graphml'));
    assert.deepEqual(g.nodes(), ['a', 'b', 'c', 'd']);
    assert.deepEqual(edges(g), ['a-b', 'b-c', 'c-a']);
    assert.deepEqual(g.getNodeAttributes('a'), { x: 0.5, y: 0.25 });
    assert.equal(g.getEdgeAttribute('a', 'b', 'latency'), 5000);
  });
  it('refuses non-XML, broken XML, a wrong root and dangling edges, with lines', () => {
    throwsInput(
      () => loadTopologyFile(fixture('not-xml.graphml')),
      'not-xml.graphml',
      1,
      /not XML/,
    );
    throwsInput(() => loadTopologyFile(fixture('broken.graphml')), 'broken.graphml', 5, /XML/);
    throwsInput(
      () => loadTopologyFile(fixture('wrong-root.graphml')),
      'wrong-root.graphml',
      2,
      /expected <graphml>/,
    );
    throwsInput(
      () => loadTopologyFile(fixture('dangling.graphml')),
      'dangling.graphml',
      7,
      /"zz" is not a declared <node>/,
    );
    throwsInput(
      () =>
        parseTopology(
          '<graphml><key id="l" for="edge" attr.name="latency" attr.type="string"/><graph><node id="a"/><node id="b"/><edge source="a" target="b"><data key="l">soon</data></edge></graph></graphml>',
          'lat.graphml',
          'graphml',
        ),
      'lat.graphml',
      undefined,
      /bad latency "soon"/,
    );
  });
});

describe('GEXF', () => {
  it('loads nodes, viz positions and attvalues', () => {
    const g = loadTopologyFile(fixture('good.gexf'));
    assert.deepEqual(g.nodes(), ['a', 'b', 'c']);
    assert.deepEqual(edges(g), ['a-b', 'b-c']);
    assert.deepEqual(g.getNodeAttributes('a'), { x: 1, y: 2 });
    assert.equal(g.getEdgeAttribute('a', 'b', 'latency'), 2000);
  });
  it('refuses a GraphML file read as GEXF', () => {
    throwsInput(
      () => loadTopologyFile(fixture('good.graphml'), 'gexf'),
      'good.graphml',
      2,
      /expected <gexf>/,
    );
  });
});

describe('JSON', () => {
  it('loads graphology serialized JSON', () => {
    const g = loadTopologyFile(fixture('good.json'));
    assert.deepEqual(g.nodes(), ['a', 'b', 'c']);
    assert.deepEqual(g.getNodeAttributes('a'), { x: 0, y: 1 });
    assert.deepEqual(g.getEdgeAttributes('a', 'b'), { latency: 1500, loss: 0.5 });
  });
  it('names the line of a syntax error and the path of a structural one', () => {
    throwsInput(() => loadTopologyFile(fixture('bad-syntax.json')), 'bad-syntax.json', 3, /JSON/);
    throwsInput(
      () => loadTopologyFile(fixture('bad-structure.json')),
      'bad-structure.json',
      undefined,
      /edges\[0\]\.target/,
    );
    throwsInput(() => parseTopology('[1,2]', 'arr.json', 'json'), 'arr.json', undefined, /object/);
    throwsInput(
      () =>
        parseTopology(
          '{"nodes":[{"key":"a"}],"edges":[{"source":"a","target":"a","attributes":{"loss":2}}]}',
          'l.json',
          'json',
        ),
      'l.json',
      undefined,
      /bad loss/,
    );
  });
});

describe('UTF-8 validation', () => {
  it('finds the first invalid byte', () => {
    assert.equal(firstInvalidUtf8(new TextEncoder().encode('héllo €𝄞')), -1);
    assert.equal(firstInvalidUtf8(Uint8Array.from([0x61, 0xc0, 0x80])), 1); // overlong
    assert.equal(firstInvalidUtf8(Uint8Array.from([0x61, 0x62, 0xed, 0xa0, 0x80])), 2); // surrogate
    assert.equal(firstInvalidUtf8(Uint8Array.from([0xe2, 0x82])), 0); // truncated
  });
});

describe('hostile input: reserved node names, non-finite numbers, devices', () => {
  it('refuses every Object.prototype property as a node name, in every format, with its place', () => {
    for (const name of Object.getOwnPropertyNames(Object.prototype)) {
      const reserved = new RegExp(`node name "${name}" is reserved`);
      throwsInput(() => parseTopology(`a ${name}\n`, 'p.txt', 'pinecone'), 'p.txt', 1, reserved);
      throwsInput(
        () => parseTopology(`a,b\n${name},a\n`, 'e.csv', 'edgelist'),
        'e.csv',
        2,
        reserved,
      );
      const json = `{"nodes":[{"key":"a"},{"key":"${name}"}],"edges":[]}`;
      throwsInput(
        () => parseTopology(json, 'g.json', 'json'),
        'g.json',
        undefined,
        /nodes\[1\]\.key/,
      );
      const xml = `<?xml version="1.0"?>\n<graphml xmlns="http://graphml.graphdrawing.org/xmlns">\n<graph edgedefault="undirected">\n<node id="${name}"/>\n</graph>\n</graphml>\n`;
      throwsInput(() => parseTopology(xml, 'g.graphml', 'graphml'), 'g.graphml', 4, reserved);
    }
    // Names that merely contain those words are fine.
    assert.deepEqual(parseTopology('constructors toString2\n', 'p.txt', 'pinecone').nodes(), [
      'constructors',
      'toString2',
    ]);
  });

  it('names NaN and Infinity attributes, and reads numbers written with an exponent', () => {
    const json = (v: string) =>
      `{"nodes":[{"key":"a"},{"key":"b"}],"edges":[{"source":"a","target":"b","attributes":{"loss":${v}}}]}`;
    throwsInput(
      () => parseTopology(json('1e999'), 'g.json', 'json'),
      'g.json',
      undefined,
      /bad loss Infinity/,
    );
    const g = parseTopology(json('1e-7'), 'g.json', 'json');
    assert.equal(g.getEdgeAttribute(g.edges()[0]!, 'loss'), 1e-7);
    const pos = '{"nodes":[{"key":"a","attributes":{"x":-1e999}}],"edges":[]}';
    throwsInput(
      () => parseTopology(pos, 'g.json', 'json'),
      'g.json',
      undefined,
      /node a: bad x -Infinity/,
    );
  });

  it('refuses a device and stops at the cap while reading', () => {
    throwsInput(() => loadTopologyFile('/dev/zero', 'pinecone'), '/dev/zero', undefined, /device/);
    throwsInput(
      () => readCapped(fixture('good.graphml'), 100, 'a topology file'),
      'good.graphml',
      undefined,
      /more than 100 bytes/,
    );
  });
});
