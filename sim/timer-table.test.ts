import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { TimerTable } from './timer-table.ts';

type Op =
  | { readonly op: 'add' }
  | { readonly op: 'set'; readonly node: number; readonly timer: number; readonly event: number }
  | { readonly op: 'delete'; readonly node: number; readonly timer: number }
  | { readonly op: 'clear'; readonly node: number };

// Timer ids 0..4 have slots of their own, the rest (hold-down instances) go to a Map: both, and
// event ids up to 2^53 − 1 (generation · 2^24 + slot, sim/scheduler.ts).
// Mostly the first nodes (so that one node's operations meet), some anywhere.
const node = fc.oneof(fc.nat({ max: 2 }), fc.nat());
const timer = fc.oneof(fc.integer({ min: 0, max: 6 }), fc.integer({ min: 1000, max: 1003 }));
const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 2, arbitrary: fc.constant({ op: 'add' as const }) },
  {
    weight: 6,
    arbitrary: fc.record({
      op: fc.constant('set' as const),
      node,
      timer,
      event: fc.oneof(fc.nat({ max: 100 }), fc.constant(2 ** 53 - 1)),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({ op: fc.constant('delete' as const), node, timer }),
  },
  { weight: 1, arbitrary: fc.record({ op: fc.constant('clear' as const), node }) },
);

test('TimerTable keeps what one Map per node would, past its first growth (property)', () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 30, max: 70 }),
      fc.array(opArb, { maxLength: 400, size: 'max' }),
      (start, ops) => {
        const table = new TimerTable();
        const model: Map<number, number>[] = [];
        const add = (): void => {
          assert.equal(table.addNode(), model.length);
          model.push(new Map());
        };
        // 31 to 71 nodes before the operations, and more added among them: the table makes room for
        // 64 at first, so it grows before, or while, timers are armed.
        for (let i = 0; i <= start; i++) add();
        for (const o of ops) {
          if (o.op === 'add') {
            add();
            continue;
          }
          const node = o.node % model.length;
          const m = model[node] as Map<number, number>;
          if (o.op === 'set') {
            assert.equal(table.set(node, o.timer, o.event), m.get(o.timer) ?? -1);
            m.set(o.timer, o.event);
          } else if (o.op === 'delete') {
            table.delete(node, o.timer);
            m.delete(o.timer);
          } else {
            const seen: number[] = [];
            table.clear(node, (event) => seen.push(event));
            assert.deepEqual(
              seen.sort((a, b) => a - b),
              [...m.values()].sort((a, b) => a - b),
            );
            m.clear();
          }
          assert.equal(table.count(node), m.size);
        }
        assert.equal(table.nodes, model.length);
        model.forEach((m, node) => {
          assert.equal(table.count(node), m.size);
          for (const [t, event] of m) assert.equal(table.set(node, t, event), event);
        });
      },
    ),
    { seed: 11, numRuns: 300 },
  );
});
