import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TraceHash } from './trace.ts';

type Rec = readonly [number, number, number, number, number];
const feed = (records: readonly Rec[]): string => {
  const t = new TraceHash();
  for (const [time, node, port, type, len] of records) {
    if (len < 0) t.timer(time, node, type);
    else t.frame(time, node, port, type, len);
  }
  return t.digest();
};

const RECORDS: Rec[] = [
  [0, 0, 0, 0, -1],
  [1000, 1, 1, 1, 120],
  [1000, 2, 1, 1, 120],
  [2 ** 40 + 5, 3, 2, 2, 180],
];

test('identical runs give identical 16-hex digests', () => {
  const d = feed(RECORDS);
  assert.match(d, /^[0-9a-f]{16}$/);
  assert.equal(feed(RECORDS), d);
});

test('reordering, or changing any field, changes the digest', () => {
  const d = feed(RECORDS);
  assert.notEqual(feed([RECORDS[0]!, RECORDS[2]!, RECORDS[1]!, RECORDS[3]!]), d);
  for (let r = 0; r < RECORDS.length; r++) {
    for (let f = 0; f < 5; f++) {
      const changed = RECORDS.map((x) => [...x] as [number, number, number, number, number]);
      const row = changed[r]!;
      if ((f === 2 || f === 4) && row[4] < 0) continue; // timers carry no port or length
      row[f] = (row[f] as number) + (f === 0 ? 2 ** 33 : 1);
      assert.notEqual(feed(changed), d, `record ${r} field ${f}`);
    }
  }
  assert.notEqual(feed(RECORDS.slice(0, 3)), d);
});

test('digest does not stop the hash', () => {
  const t = new TraceHash();
  t.frame(1, 2, 3, 1, 10);
  const first = t.digest();
  t.frame(2, 2, 3, 1, 10);
  assert.notEqual(t.digest(), first);
  assert.equal(t.records, 2);
});
