import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../sim/errors.ts';
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
    assert.throws(() => resolveRouterOptions({ maxPorts: 254 }), InputError);
    assert.throws(() => resolveRouterOptions({ hybrid: 'yes' }), InputError);
    assert.throws(() => resolveRouterOptions({ holdDown: 0 }), InputError);
    assert.throws(
      () => resolveRouterOptions({ nope: 1 }, 'flags'),
      /flags: unknown router option 'nope'/,
    );
  });
});
