/**
 * test/bench-heap.test.ts — the heap-snapshot reading of scripts/bench-heap.ts (the idle heap
 * breakdown), on a small hand-made snapshot whose sizes and dominators are known.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { heapBreakdown } from '../scripts/bench-heap.ts';

/**
 * root ─▶ A (Owner, 100 B) ─▶ B (array, 800 B)
 *   │         └──────────────▶ D (Shared, 10 B)
 *   └──▶ C (Owner, 50 B) ───▶ D
 *   └┄┄▶ E (Owner, 7 B), weakly: not retained by the root
 * D has two retainers, so only the root dominates it: the Owners retain A + B + C = 950 B.
 */
function snapshotText(): string {
  const strings = ['', 'Owner', 'Shared', 'elements', 'kept', 'other', '(GC roots)'];
  // type, name, id, self_size, edge_count, trace_node_id, detachedness
  const types = { synthetic: 9, object: 3, array: 1 };
  const nodes = [
    [types.synthetic, 6, 1, 0, 3, 0, 0], // 0 root
    [types.object, 1, 3, 100, 2, 0, 0], // 1 A
    [types.array, 0, 5, 800, 0, 0, 0], // 2 B
    [types.object, 1, 7, 50, 1, 0, 0], // 3 C
    [types.object, 2, 9, 10, 0, 0, 0], // 4 D
    [types.object, 1, 11, 7, 0, 0, 0], // 5 E
  ];
  const NF = 7;
  const edgeTypes = { element: 1, property: 2, weak: 6 };
  // type, name_or_index, to_node (index × node field count)
  const edges = [
    [edgeTypes.element, 0, 1 * NF],
    [edgeTypes.element, 1, 3 * NF],
    [edgeTypes.weak, 2, 5 * NF],
    [edgeTypes.property, 3, 2 * NF],
    [edgeTypes.property, 4, 4 * NF],
    [edgeTypes.property, 5, 4 * NF],
  ];
  const snapshot = {
    meta: {
      node_fields: [
        'type',
        'name',
        'id',
        'self_size',
        'edge_count',
        'trace_node_id',
        'detachedness',
      ],
      node_types: [
        [
          'hidden',
          'array',
          'string',
          'object',
          'code',
          'closure',
          'regexp',
          'number',
          'native',
          'synthetic',
        ],
        'string',
      ],
      edge_fields: ['type', 'name_or_index', 'to_node'],
      edge_types: [
        ['context', 'element', 'property', 'internal', 'hidden', 'shortcut', 'weak'],
        'string_or_number',
        'node',
      ],
    },
    node_count: nodes.length,
    edge_count: edges.length,
  };
  // The layout V8 writes: one JSON object, numbers in flat arrays, strings last.
  return `{"snapshot":${JSON.stringify(snapshot)},\n"nodes":[${nodes.flat().join(',')}],\n"edges":[${edges.flat().join(',')}],\n"trace_function_infos":[],"trace_tree":[],"samples":[],"locations":[],\n"strings":${JSON.stringify(strings)}}`;
}

test('heap breakdown: shallow sizes by constructor, retained sizes by dominators', () => {
  const dir = mkdtempSync(join(tmpdir(), 'pinelab-heap-'));
  try {
    const path = join(dir, 'small.heapsnapshot');
    writeFileSync(path, snapshotText());
    const b = heapBreakdown(path);
    assert.equal(b.totalBytes, 967);
    const row = (rows: typeof b.byConstructor, label: string) =>
      rows.find((r) => r.label === label);
    assert.deepEqual(row(b.byConstructor, 'object Owner'), {
      label: 'object Owner',
      count: 3,
      bytes: 157,
    });
    assert.deepEqual(row(b.byConstructor, 'array '), { label: 'array ', count: 1, bytes: 800 });
    // E is reached only weakly: not retained; D is shared by A and C: the root's.
    assert.deepEqual(row(b.retained, 'object Owner'), {
      label: 'object Owner',
      count: 2,
      bytes: 950,
    });
    assert.deepEqual(row(b.retained, 'object Shared'), {
      label: 'object Shared',
      count: 1,
      bytes: 10,
    });
    // B's first retainer is A by its `elements` property.
    assert.deepEqual(row(b.byRetainer, 'object Owner.elements → array '), {
      label: 'object Owner.elements → array ',
      count: 1,
      bytes: 800,
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
