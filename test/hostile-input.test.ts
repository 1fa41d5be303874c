/**
 * test/hostile-input.test.ts — generated garbage through every parser of user input:
 * the topology loaders (all five formats), the scenario parser (JSON and YAML), the keys file
 * parser and the frame decoder and encoder. The only acceptable outcomes are a result or an
 * InputError whose message names the input; any other exception (a TypeError from inside
 * graphology, a stack overflow, a SyntaxError) is a bug. Fixed seeds, bounded runs (~3 s).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { InputError } from '../base/index.ts';
import { decodeHexToJson, encodeJsonToHex } from '../cli/frame.ts';
import { decodeFrame } from '../router/wire/frame.ts';
import { parseScenario } from '../scenarios/load.ts';
import { parseKeysFile } from '../sim/identities.ts';
import { FORMATS, parseTopology } from '../topologies/index.ts';

const RUNS = { seed: 19, numRuns: 150 } as const;

/** Runs `f`; passes on a result or on an InputError naming `name`, rethrows anything else. */
function onlyResultOrInputError(name: string, f: () => unknown): void {
  try {
    f();
  } catch (error) {
    if (error instanceof InputError) {
      assert.ok(error.message.includes(name), `error does not name ${name}: ${error.message}`);
      assert.ok(!error.message.includes('\n    at '), `stack trace in message: ${error.message}`);
      return;
    }
    throw error;
  }
}

/** Words that broke parsers before: object property names, numbers that are not, markup bits. */
const NASTY = [
  'constructor',
  '__proto__',
  'toString',
  'hasOwnProperty',
  'prototype',
  'NaN',
  'Infinity',
  '-Infinity',
  '1e999',
  '-1',
  '0x1',
  '1e-7',
  '',
  ' ',
  '\t',
  '\n',
  '\r\n',
  '\0',
  '\uFEFF',
  '\u2028',
  'é',
  '😀',
  '{',
  '}',
  '[',
  ']',
  '"',
  ',',
  ':',
  '#',
  '<',
  '>',
  '/>',
  '&amp;',
  '<!DOCTYPE x [<!ENTITY a "aaaa">]>',
  '&a;',
  '*a',
  '&a',
  '---',
  '- ',
  'a',
  'b',
  'ring:4',
  '5ms',
  '10M',
  '1%',
];

const nasty = fc.constantFrom(...NASTY);
/** Text mixing the words above with arbitrary characters. */
const garbage = fc
  .array(fc.oneof(nasty, fc.string({ maxLength: 8, unit: 'binary' })), { maxLength: 40 })
  .map((parts) => parts.join(''));
/** A JSON value where any value may be one of the nasty words, numbers or a deep-ish nest. */
const nastyJson: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    nasty,
    fc.double(),
    fc.integer(),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.oneof(nasty, fc.string({ maxLength: 6 })), tie('value'), { maxKeys: 4 }),
  ),
})).value;

function xmlDoc(root: 'graphml' | 'gexf', body: string): string {
  const ns =
    root === 'graphml'
      ? 'http://graphml.graphdrawing.org/xmlns'
      : 'http://www.gexf.net/1.2draft" version="1.2';
  const [nodes, edges] = root === 'gexf' ? ['<nodes>', '</nodes><edges>'] : ['', ''];
  return `<?xml version="1.0"?>\n<${root} xmlns="${ns}"><key id="d0" for="edge" attr.name="loss" attr.type="double"/><graph edgedefault="undirected">${nodes}${body}${edges}${root === 'gexf' ? '</edges>' : ''}</graph></${root}>\n`;
}

/** Node ids: mostly a few plain ones, so generated edges often join declared nodes. */
const xmlId = fc.oneof(fc.constantFrom('a', 'b', 'c'), nasty);

/** XML that mostly parses: nodes and edges with nasty ids and attribute values. */
const xmlBody = fc
  .array(
    fc.oneof(
      xmlId.map((id) => `<node id="${id}"/>\n`),
      fc.tuple(xmlId, xmlId).map(([s, t]) => `<edge source="${s}" target="${t}"/>\n`),
      fc
        .tuple(xmlId, xmlId, nasty)
        .map(
          ([s, t, v]) => `<edge source="${s}" target="${t}"><data key="d0">${v}</data></edge>\n`,
        ),
      garbage,
    ),
    { maxLength: 12 },
  )
  .map((parts) => parts.join(''));

test('topology loaders: garbage text gives a graph or an InputError naming the file', () => {
  for (const format of FORMATS) {
    const file = `garbage.${format}`;
    fc.assert(
      fc.property(garbage, (text) =>
        onlyResultOrInputError(file, () => parseTopology(text, file, format)),
      ),
      RUNS,
    );
  }
});

test('topology loaders: near-valid documents with nasty names and values', () => {
  const lines = fc
    .array(fc.array(nasty, { minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 10 })
    .map((rows) => rows.map((r) => r.join(' ')));
  fc.assert(
    fc.property(lines, (rows) => {
      onlyResultOrInputError('p.txt', () => parseTopology(rows.join('\n'), 'p.txt', 'pinecone'));
      onlyResultOrInputError('e.csv', () =>
        parseTopology(rows.map((r) => r.replaceAll(' ', ',')).join('\n'), 'e.csv', 'edgelist'),
      );
    }),
    RUNS,
  );
  const graph = fc.record({
    nodes: fc.array(
      fc.record({ key: nastyJson, attributes: nastyJson }, { requiredKeys: ['key'] }),
      { maxLength: 6 },
    ),
    edges: fc.array(
      fc.record(
        { source: nastyJson, target: nastyJson, attributes: nastyJson },
        { requiredKeys: ['source', 'target'] },
      ),
      { maxLength: 6 },
    ),
  });
  fc.assert(
    fc.property(fc.oneof(graph, nastyJson), (g) =>
      onlyResultOrInputError('g.json', () => parseTopology(JSON.stringify(g), 'g.json', 'json')),
    ),
    RUNS,
  );
  // Raw number literals JSON.stringify cannot write (1e999 is Infinity once parsed).
  const literal = fc.constantFrom('1e999', '-1e999', '1e-7', '-0', '0.5', '2', '1e21', '"1e999"');
  const attr = fc.constantFrom('latency', 'bandwidth', 'loss', 'x', 'y');
  fc.assert(
    fc.property(attr, literal, (name, value) => {
      const where = name === 'x' || name === 'y' ? 'nodes[0]' : 'edges[0]';
      const text = `{"nodes":[{"key":"a"},{"key":"b"}],"edges":[{"source":"a","target":"b"}]}`;
      const withAttr = text.replace(
        `${where === 'nodes[0]' ? '{"key":"a"' : '"target":"b"'}`,
        (m) => `${m},"attributes":{"${name}":${value}}`,
      );
      onlyResultOrInputError('n.json', () => parseTopology(withAttr, 'n.json', 'json'));
    }),
    RUNS,
  );
  for (const root of ['graphml', 'gexf'] as const) {
    fc.assert(
      fc.property(xmlBody, (body) =>
        onlyResultOrInputError(`g.${root}`, () =>
          parseTopology(xmlDoc(root, body), `g.${root}`, root),
        ),
      ),
      RUNS,
    );
  }
});

test('scenario parser: garbage and nasty JSON/YAML give a scenario or an InputError naming the file', () => {
  const fields = fc.dictionary(
    fc.constantFrom(
      'name',
      'description',
      'topology',
      'seed',
      'duration',
      'links',
      'router',
      'measure',
      'actions',
      '__proto__',
      'constructor',
    ),
    nastyJson,
    { maxKeys: 6 },
  );
  const action = fc.dictionary(
    fc.constantFrom('at', 'type', 'node', 'a', 'b', 'links', 'props', 'nodes', 'pairs', 'kind'),
    fc.oneof(nastyJson, fc.constantFrom('add-node', 'remove-node', 'add-link', 'churn', 'traffic')),
    { maxKeys: 5 },
  );
  const scenario = fc
    .tuple(fields, fc.array(action, { maxLength: 3 }))
    .map(([f, actions]) => ({ topology: 'ring:4', duration: '1s', ...f, actions }));
  fc.assert(
    fc.property(
      fc.oneof(
        garbage,
        fc.json(),
        scenario.map((s) => JSON.stringify(s)),
      ),
      (text) => {
        onlyResultOrInputError('s.json', () => parseScenario(text, 's.json'));
        onlyResultOrInputError('s.yaml', () => parseScenario(text, 's.yaml'));
      },
    ),
    RUNS,
  );
});

test('keys parser: garbage gives keys or an InputError naming the file', () => {
  const keys = fc.dictionary(
    fc.oneof(nasty, fc.string({ maxLength: 6 })),
    fc.oneof(
      nastyJson,
      fc.string({ unit: fc.constantFrom(...'0123456789abcdefG'), minLength: 62, maxLength: 66 }),
    ),
    { maxKeys: 4 },
  );
  fc.assert(
    fc.property(
      fc.oneof(
        garbage,
        keys.map((k) => JSON.stringify(k)),
      ),
      (text) => onlyResultOrInputError('keys.json', () => parseKeysFile(text, 'keys.json')),
    ),
    RUNS,
  );
});

test('frame decoder and encoder: garbage gives a frame or an InputError naming the argument', () => {
  const hex = fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.from(b).toString('hex'));
  // Valid magic and a plausible header, so decoding gets past the first check.
  const framed = fc
    .tuple(fc.integer({ min: 0, max: 12 }), fc.uint8Array({ maxLength: 160 }))
    .map(([type, body]) => {
      const len = 10 + body.length;
      const header = [0x70, 0x69, 0x6e, 0x65, 0, type, 0, 0, len >> 8, len & 0xff];
      return Buffer.from([...header, ...body]).toString('hex');
    });
  fc.assert(
    fc.property(fc.oneof(hex, framed, garbage), (h) => {
      onlyResultOrInputError('pinelab frame decode <hex>', () => decodeHexToJson(h));
      const bytes = Buffer.from(h.replace(/[^0-9a-f]/gi, '').slice(0, 400), 'hex');
      decodeFrame(bytes); // a frame, a CodecError or null: it never throws
    }),
    RUNS,
  );
  fc.assert(
    fc.property(
      fc.oneof(
        garbage,
        nastyJson.map((v) => JSON.stringify(v) ?? ''),
      ),
      (text) => onlyResultOrInputError('pinelab frame encode <json>', () => encodeJsonToHex(text)),
    ),
    RUNS,
  );
});
