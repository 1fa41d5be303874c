import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../base/index.ts';
import { DEFAULT_ROUTER_OPTIONS, resolveRouterOptions } from './options.ts';

describe('router options', () => {
  it('defaults are faithful to d0beb18 (§8)', () => {
    const o = DEFAULT_ROUTER_OPTIONS;
    assert.equal(o.keepaliveInterval, 3_000_000);
    assert.equal(o.keepaliveTimeout, 5_000_000);
    assert.equal(o.announcementInterval, 1_800_000_000);
    assert.equal(o.announcementTimeout, 2_700_000_000);
    assert.equal(o.holdDown, 1_000_000);
    assert.equal(o.bootstrapInterval, 5_000_000);
    assert.equal(o.neighExpiry, 10_000_000);
    assert.equal(o.coordsCacheLifetime, 60_000_000);
    assert.equal(o.maxPorts, 253);
    assert.equal(o.hybrid && o.signatures && o.keepalives, true);
    assert.equal(o.treeExactKeyCheck || o.snekExactDelivery || o.headHopLimit, false);
  });
  it('merges a partial and rejects bad input with InputError', () => {
    assert.equal(resolveRouterOptions({ maxPorts: 4 }).maxPorts, 4);
    // Above 253 is a simulator-only extension (hub-heavy maps), bounded by the timer id space.
    assert.equal(resolveRouterOptions({ maxPorts: 2100 }).maxPorts, 2100);
    assert.throws(() => resolveRouterOptions({ maxPorts: 65536 }), InputError);
    assert.throws(() => resolveRouterOptions({ maxPorts: 0 }), InputError);
    // A resolved object passes through unchanged (no re-validation per router).
    const o = resolveRouterOptions({ maxPorts: 9 });
    assert.equal(resolveRouterOptions(o as unknown as Record<string, unknown>), o);
    assert.throws(() => resolveRouterOptions({ hybrid: 'yes' }), InputError);
    assert.throws(() => resolveRouterOptions({ holdDown: 0 }), InputError);
    assert.throws(
      () => resolveRouterOptions({ nope: 1 }, 'flags'),
      /flags: unknown router option 'nope'/,
    );
  });
});
