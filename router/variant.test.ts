import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InputError } from '../base/index.ts';
import { AnnouncementAction as A } from './decisions/announcement.ts';
import type { LinkInfo } from './decisions/links.ts';
import type { LinkType, PublicKey } from './types.ts';
import { type BootstrapInput, defaults, defineVariant, NO_PORT, routerVariant } from './variant.ts';

const k = (b: number): PublicKey => {
  const a = new Uint8Array(32);
  a[0] = b;
  return a;
};

function link(port: number, up: boolean, stored: boolean): LinkInfo {
  return {
    port,
    remoteKey: k(port),
    linkType: 0 as LinkType,
    up,
    stored: stored
      ? {
          announcement: { rootKey: k(9), rootSeq: 1, hops: [] },
          receiveTime: 0,
          receiveOrder: port,
          coords: [],
          peerCoords: [],
        }
      : null,
  };
}

const parentInput = {
  links: [link(1, true, true), link(2, false, true), link(3, true, false)],
  now: 0,
  ourKey: k(1),
  currentRootKey: k(1),
  currentRootSeq: 0,
  announcementTimeout: 1,
};

describe('defineVariant', () => {
  it('rejects unknown fields, non-functions and invalid options, naming the source', () => {
    assert.throws(
      () => defineVariant({ parnt: () => 1 } as never, 'v.ts'),
      /v.ts: unknown variant field "parnt"/,
    );
    assert.throws(
      () => defineVariant({ parent: 3 } as never, 'v.ts'),
      /v.ts: parent must be a function/,
    );
    assert.throws(
      () => defineVariant({ options: { bootstrapInterval: 0 } }, 'v.ts'),
      /v.ts: options: router option 'bootstrapInterval' must be a positive integer/,
    );
    assert.throws(() => defineVariant({ options: { nope: 1 } as never }, 'v.ts'), InputError);
  });
  it('keeps the replaced decisions and options, frozen', () => {
    const v = defineVariant({ options: { holdDown: 2_000_000 }, acceptBootstrap: () => true });
    assert.deepEqual(v.options, { holdDown: 2_000_000 });
    assert.ok(Object.isFrozen(v));
  });
});

describe('defaults (the reference decisions in the variant calling convention)', () => {
  const boot = (over: Partial<BootstrapInput>): BootstrapInput => ({
    key: k(5),
    seq: 10,
    rootKey: k(9),
    rootSeq: 1,
    ourRootKey: k(9),
    ourRootSeq: 1,
    existing: null,
    fromPort: 1,
    ...over,
  });
  it('acceptBootstrap: same root and newer than the entry of that root (§6.5)', () => {
    assert.equal(defaults.acceptBootstrap(boot({})), true);
    assert.equal(defaults.acceptBootstrap(boot({ rootSeq: 2 })), false);
    assert.equal(defaults.acceptBootstrap(boot({ rootKey: k(8) })), false);
    const e = { seq: 10, rootKey: k(9), rootSeq: 1 };
    assert.equal(defaults.acceptBootstrap(boot({ existing: e })), false, 'duplicate');
    assert.equal(defaults.acceptBootstrap(boot({ existing: e, seq: 11 })), true);
    assert.equal(
      defaults.acceptBootstrap(boot({ existing: { ...e, rootSeq: 0 } })),
      true,
      'an entry of an older root does not make it a duplicate',
    );
  });
  it('announcementAction and parent are the decision functions', () => {
    assert.equal(
      defaults.announcementAction({
        fromParent: false,
        loop: false,
        rootDelta: 1,
        newSeq: 1,
        lastSeq: 1,
      }),
      A.AcceptNewParent,
    );
    assert.equal(defaults.parent(parentInput), 1);
  });
});

describe('routerVariant checks what a variant returns', () => {
  it('only replaced decisions are bound (null = the router fast path)', () => {
    const r = routerVariant(defineVariant({ parent: (i, base) => base(i) }), 'v.ts');
    assert.equal(r.treeNextHop, null);
    assert.equal(r.snekNextHop, null);
    assert.equal(r.parent?.(parentInput), 1);
  });
  it('a port of a down link, of a link without announcement, or a non-number is refused', () => {
    for (const bad of [2, 3, 7, '1', Number.NaN]) {
      const r = routerVariant(defineVariant({ parent: () => bad as number }), 'v.ts');
      assert.throws(
        () => r.parent?.(parentInput),
        (e: unknown) =>
          e instanceof InputError && /^variant v.ts: parent returned /.test(e.message),
      );
    }
    const none = routerVariant(defineVariant({ parent: () => NO_PORT }), 'v.ts');
    assert.equal(none.parent?.(parentInput), NO_PORT);
  });
  it('a throw becomes an InputError naming file and decision', () => {
    const r = routerVariant(
      defineVariant({
        acceptBootstrap: () => {
          throw new TypeError('x is undefined');
        },
      }),
      'my.ts',
    );
    assert.throws(() => r.acceptBootstrap?.({} as BootstrapInput), {
      name: 'InputError',
      message: 'variant my.ts: acceptBootstrap threw: x is undefined',
    });
  });
  it('announcementAction outside 0..5 and a non-boolean acceptance are refused', () => {
    const a = routerVariant(defineVariant({ announcementAction: () => 6 as never }), 'v.ts');
    assert.throws(() => a.announcementAction?.({} as never), /announcementAction returned 6/);
    const b = routerVariant(defineVariant({ acceptBootstrap: () => 1 as never }), 'v.ts');
    assert.throws(
      () => b.acceptBootstrap?.({} as never),
      /acceptBootstrap returned 1, expected true or false/,
    );
  });
});
