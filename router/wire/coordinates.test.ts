import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { fromHex, toHex } from '../keys.ts';
import {
  coordinateDistance,
  coordinatesEqual,
  coordinatesLength,
  decodeCoordinates,
  encodeCoordinates,
} from './coordinates.ts';
import { CodecError } from './errors.ts';

test('coordinates: §3.5 examples, the prefix counts bytes', () => {
  for (const [ports, hex] of [
    [[1, 2, 3, 4000], '0005010203' + '9f20'],
    [[1, 2, 200], '000401028148'],
    [[], '0000'],
  ] as [number[], string][]) {
    assert.equal(toHex(encodeCoordinates(ports)), hex);
    const d = decodeCoordinates(fromHex(hex) as Uint8Array, 0);
    assert.ok(!(d instanceof CodecError));
    assert.deepEqual([...d.coords], ports);
    assert.equal(d.next, hex.length / 2);
  }
});

test('coordinates: truncated, overlong and straddling lists are decode errors', () => {
  for (const hex of ['', '00', '0002', '000181', '000180', '00028005']) {
    const d = decodeCoordinates(fromHex(hex) as Uint8Array, 0);
    assert.ok(d instanceof CodecError, hex);
  }
  // '00 02 81 00' is valid ([128]); a port straddling L is not.
  const ok = decodeCoordinates(fromHex('00028100') as Uint8Array, 0);
  assert.ok(!(ok instanceof CodecError));
  assert.deepEqual([...ok.coords], [128]);
  assert.ok(decodeCoordinates(fromHex('0001810001') as Uint8Array, 0) instanceof CodecError);
});

test('coordinates: tree distance examples of §2', () => {
  assert.equal(coordinateDistance([1, 3, 5, 3, 4], [1, 3, 5, 7, 6, 1]), 5);
  assert.equal(coordinateDistance([], [1, 2]), 2);
  assert.equal(coordinateDistance([1], [2]), 2);
  assert.equal(coordinateDistance([5, 1], [5, 1]), 0);
});

test('coordinates: round trip and distance properties', () => {
  const coords = fc.array(fc.oneof(fc.nat(300), fc.maxSafeNat()), { maxLength: 20 });
  fc.assert(
    fc.property(coords, coords, (a, b) => {
      const bytes = encodeCoordinates(a);
      assert.equal(bytes.length, coordinatesLength(a));
      const d = decodeCoordinates(bytes, 0);
      assert.ok(!(d instanceof CodecError));
      assert.deepEqual([...d.coords], a);
      assert.ok(coordinatesEqual(d.coords, a));
      assert.equal(coordinateDistance(a, b), coordinateDistance(b, a));
      assert.equal(coordinateDistance(a, b) === 0, coordinatesEqual(a, b));
      assert.ok(coordinateDistance(a, b) <= a.length + b.length);
    }),
    { seed: 42, numRuns: 1000 },
  );
});
