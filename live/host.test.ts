import assert from 'node:assert/strict';
import { test } from 'node:test';
import { sha256 } from '@noble/hashes/sha2.js';
import { createNodeEd25519 } from '../router/crypto-node.ts';
import { compareKeys, toHex } from '../router/keys.ts';
import type { Identity } from '../router/types.ts';
import { ManualClock } from './clock.ts';
import { LiveHost, REMOTE_LINK } from './host.ts';
import { memoryPair } from './transport.ts';

const crypto = createNodeEd25519();

function identity(name: string): Identity {
  const seed = sha256(new TextEncoder().encode(`pinecone-key:${name}`));
  return { seed, publicKey: crypto.publicKey(seed) };
}

test('two live hosts on one manual clock peer, agree on the root and ping each other', async () => {
  const clock = new ManualClock();
  const a = new LiveHost({ identity: identity('peer-hi'), crypto, clock });
  const b = new LiveHost({ identity: identity('peer-lo'), crypto, clock });
  a.start();
  b.start();
  const [ea, eb] = memoryPair(clock);
  a.attach(ea, REMOTE_LINK, true);
  b.attach(eb, REMOTE_LINK, false);
  clock.advanceTo(12_000_000);
  const root = compareKeys(a.identity.publicKey, b.identity.publicKey) > 0 ? a : b;
  const other = root === a ? b : a;
  assert.equal(a.state().root, toHex(root.identity.publicKey));
  assert.equal(b.state().root, toHex(root.identity.publicKey));
  assert.equal(other.state().parent, toHex(root.identity.publicKey));
  // The greater key's descending neighbour is the smaller key (§6.1).
  assert.equal(root.state().descending, toHex(other.identity.publicKey));
  const rtt = a.ping(b.identity.publicKey, 1000);
  clock.advanceTo(12_100_000);
  assert.equal(await rtt, 0);
  const back = b.ping(a.identity.publicKey, 1000);
  clock.advanceTo(12_200_000);
  assert.equal(await back, 0);
  assert.equal(a.counters.echoed + b.counters.echoed, 2);
  // Keepalives keep the quiet link up (§4.3).
  clock.advanceTo(60_000_000);
  assert.equal((a.state().peers as unknown[]).length, 1);
  a.stop();
  b.stop();
});

test('a stream that never sends its handshake is closed at the 10 s deadline (§3.1)', () => {
  const clock = new ManualClock();
  const a = new LiveHost({ identity: identity('peer-hi'), crypto, clock });
  a.start();
  const [ea, eb] = memoryPair(clock);
  a.attach(ea, REMOTE_LINK, false);
  clock.advanceTo(9_999_000);
  assert.equal(eb.closed, false);
  clock.advanceTo(10_000_000);
  assert.equal(eb.closed, true);
  a.stop();
});
