/**
 * live/socket.test.ts — live nodes on loopback sockets (in-process, ephemeral ports, wall clock):
 * five LiveNodes peer over TCP and WebSocket and converge; and pinelab, listening as the Go side,
 * refuses the bad transcripts' bytes sent over a real socket when the real router did.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { dirname, resolve } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { createNodeEd25519 } from '../router/crypto-node.ts';
import { compareKeys, fromHex, toHex } from '../router/keys.ts';
import { encodeHandshake } from '../router/wire/handshake.ts';
import { parseDiscovery } from './discovery.ts';
import type { LiveEvent } from './host.ts';
import { LiveNode } from './node.ts';
import { type Transcript, transcriptIdentity } from './replay.ts';
import { parseEndpoint } from './uri.ts';

const crypto = createNodeEd25519();
const TRANSCRIPTS = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../shared/interop/transcripts',
);

async function until(what: string, ok: () => boolean, timeoutMs: number): Promise<void> {
  const start = Date.now();
  while (!ok()) {
    if (Date.now() - start > timeoutMs) assert.fail(`timed out after ${timeoutMs} ms: ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function newNode(
  name: string,
  listen: 'tcp' | 'ws' | 'both',
  peers: string[],
  log: LiveEvent[] = [],
): LiveNode {
  return new LiveNode({
    identity: transcriptIdentity(`live-test-${name}`, crypto),
    crypto,
    listenTcp: listen !== 'ws' ? [parseEndpoint('tcp://127.0.0.1:0', '--listen', 'tcp', true)] : [],
    listenWs:
      listen !== 'tcp' ? [parseEndpoint('ws://127.0.0.1:0', '--listen-ws', 'ws', true)] : [],
    peers,
    admin: null,
    log: (e) => log.push(e),
  });
}

function addr(n: LiveNode, kind: 'tcp' | 'ws'): string {
  const b = n.bound.find((x) => x.kind === kind);
  assert.ok(b);
  return `${kind}://127.0.0.1:${b.port}`;
}

test('five live nodes over TCP and WebSocket agree on the root, form the snake in key order and ping end to end', {
  timeout: 30_000,
}, async (t) => {
  const nodes: LiveNode[] = [];
  t.after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  });
  const n0 = newNode('0', 'both', []);
  nodes.push(n0);
  await n0.start();
  const n1 = newNode('1', 'both', [addr(n0, 'tcp')]);
  nodes.push(n1);
  await n1.start();
  const n2 = newNode('2', 'tcp', [addr(n1, 'ws')]);
  const n3 = newNode('3', 'tcp', [addr(n0, 'ws')]);
  nodes.push(n2, n3);
  await Promise.all([n2.start(), n3.start()]);
  const n4 = newNode('4', 'tcp', [addr(n3, 'tcp')]);
  nodes.push(n4);
  await n4.start();
  const byKey = [...nodes].sort((a, b) =>
    compareKeys(a.host.identity.publicKey, b.host.identity.publicKey),
  );
  const keys = byKey.map((n) => toHex(n.host.identity.publicKey));
  const rootKey = keys[keys.length - 1];
  const converged = (): boolean =>
    byKey.every((n, i) => {
      const s = n.host.state();
      return s.root === rootKey && s.descending === (i === 0 ? null : keys[i - 1]);
    });
  await until('root and snake', converged, 25_000);
  // Ping both ways between the two ends of the line n2 – n1 – n0 – n3 – n4 (four hops).
  const there = await n2.host.ping(n4.host.identity.publicKey, 3000);
  const back = await n4.host.ping(n2.host.identity.publicKey, 3000);
  assert.ok(there !== null && back !== null, `pings: ${there} ms, ${back} ms`);
  assert.ok(n4.host.counters.echoed >= 1 && n2.host.counters.echoed >= 1);
});

function loadTranscript(name: string): Transcript {
  return JSON.parse(readFileSync(`${TRANSCRIPTS}/${name}.json`, 'utf8')) as Transcript;
}

/** Send the peer's recorded TCP bytes to a listening pinelab (as gonode); when did it close? */
async function tcpReplay(name: string): Promise<{ closedAfterMs: number; received: Buffer }> {
  const t = loadTranscript(name);
  const log: LiveEvent[] = [];
  const node = new LiveNode({
    identity: transcriptIdentity(t.go_node.name, crypto),
    crypto,
    listenTcp: [parseEndpoint('tcp://127.0.0.1:0', '--listen', 'tcp', true)],
    listenWs: [],
    peers: [],
    admin: null,
    log: (e) => log.push(e),
  });
  await node.start();
  try {
    const port = node.bound[0]?.port as number;
    const socket = connect({ host: '127.0.0.1', port });
    await new Promise((r) => socket.once('connect', r));
    const t0 = Date.now();
    const chunks: Buffer[] = [];
    socket.on('data', (c: Buffer) => chunks.push(c));
    const closed = new Promise<number>((r) => socket.once('close', () => r(Date.now() - t0)));
    socket.on('error', () => {});
    for (const rec of t.records) {
      if (rec.dir !== 'peer->go' || rec.hex === '') continue;
      const wait = rec.t_ms - (Date.now() - t0);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      if (!socket.destroyed) socket.write(fromHex(rec.hex) as Uint8Array);
    }
    const closedAfterMs = await closed;
    // Lives on: the link is gone from its state and the listener takes the next peering (it
    // writes its handshake first, §3.1).
    assert.equal((node.host.state().peers as unknown[]).length, 0);
    const again = connect({ host: '127.0.0.1', port });
    again.on('error', () => {});
    const hs = await new Promise<Buffer>((r) => again.once('data', r));
    again.destroy();
    assert.equal(
      hs.subarray(0, 104).toString('hex'),
      t.records.find((x) => x.dir === 'go->peer')?.hex,
    );
    return { closedAfterMs, received: Buffer.concat(chunks) };
  } finally {
    await node.stop();
  }
}

for (const name of [
  'bad-handshake-signature',
  'bad-frame-magic',
  'bad-frame-length',
  'bad-traffic-length',
]) {
  test(`${name} over a real TCP socket (needs ../shared): pinelab closes as the real router did, and lives on`, {
    timeout: 10_000,
  }, async () => {
    const t = loadTranscript(name);
    const { closedAfterMs, received } = await tcpReplay(name);
    const goBytes = t.records
      .filter((r) => r.dir === 'go->peer' && r.hex !== '')
      .map((r) => r.hex)
      .join('');
    // The same bytes as the real router wrote before closing (handshake, announcement, if any).
    assert.equal(received.toString('hex'), goBytes);
    assert.ok(
      Math.abs(closedAfterMs - (t.outcome.go_close_t_ms as number)) < 150,
      `closed after ${closedAfterMs} ms`,
    );
  });
}

test('ws-peer-is-root over a real WebSocket (needs ../shared): one frame per binary message, the recorded bytes', {
  timeout: 10_000,
}, async () => {
  const t = loadTranscript('ws-peer-is-root');
  const node = new LiveNode({
    identity: transcriptIdentity(t.go_node.name, crypto),
    crypto,
    listenTcp: [],
    listenWs: [parseEndpoint('ws://127.0.0.1:0', '--listen-ws', 'ws', true)],
    peers: [],
    admin: null,
    log: () => {},
  });
  await node.start();
  const ws = new WebSocket(`ws://127.0.0.1:${node.bound[0]?.port}/`);
  try {
    const messages: string[] = [];
    ws.on('message', (m: Buffer) => messages.push(m.toString('hex')));
    await new Promise((r) => ws.once('open', r));
    const t0 = Date.now();
    // The peer's messages of the first 20 ms: handshake and its three announcements.
    for (const rec of t.records) {
      if (rec.dir !== 'peer->go' || rec.t_ms > 20 || rec.note.startsWith('websocket')) continue;
      const wait = rec.t_ms - (Date.now() - t0);
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      ws.send(fromHex(rec.hex) as Uint8Array, { binary: true });
    }
    const expected = t.records
      .filter((r) => r.dir === 'go->peer' && r.t_ms <= 20 && !r.note.startsWith('websocket'))
      .map((r) => r.hex);
    await until('Go-side messages', () => messages.length >= expected.length, 5000);
    assert.deepEqual(messages.slice(0, expected.length), expected);
    // In its 1 s hold-down (the recorded seq-2 announcement): its own root, sequence 2 (§5.4);
    // after it, the peer's stronger root, adopted from the stored announcement.
    assert.equal(node.host.state().root, t.go_node.public_key_hex);
    assert.equal(node.host.state().rootSeq, 2);
    await until(
      'root adopted after the hold-down',
      () => node.host.state().root === t.peer.public_key_hex,
      3000,
    );
  } finally {
    ws.terminate();
    await node.stop();
  }
});

test('limits: connections beyond --max-connections are closed, an oversized WebSocket message drops only that link', {
  timeout: 10_000,
}, async () => {
  const log: LiveEvent[] = [];
  const node = new LiveNode({
    identity: transcriptIdentity('live-test-limits', crypto),
    crypto,
    listenTcp: [parseEndpoint('tcp://127.0.0.1:0', '--listen', 'tcp', true)],
    listenWs: [parseEndpoint('ws://127.0.0.1:0', '--listen-ws', 'ws', true)],
    peers: [],
    admin: null,
    maxConnections: 2,
    log: (e) => log.push(e),
  });
  await node.start();
  const tcpPort = node.bound.find((b) => b.kind === 'tcp')?.port as number;
  const wsPort = node.bound.find((b) => b.kind === 'ws')?.port as number;
  const sockets = [0, 1, 2].map(() => connect({ host: '127.0.0.1', port: tcpPort }));
  try {
    const closedFlags = sockets.map((s) => {
      s.on('error', () => {});
      s.on('data', () => {});
      const flag = { closed: false };
      s.once('close', () => (flag.closed = true));
      return flag;
    });
    await until(
      'the third connection closed',
      () => closedFlags.filter((f) => f.closed).length === 1,
      3000,
    );
    assert.deepEqual(
      closedFlags.map((f) => f.closed),
      [false, false, true],
    );
    for (const s of sockets) s.destroy();
    await until('slots free again', () => node.host.peerings.size === 0, 3000);
    // WebSocket: a valid handshake, then a 70,000-byte message (a frame is at most 65,535 bytes,
    // and a writer sends one per message), here 7,000 keepalives that would be valid as a stream.
    const peer = transcriptIdentity('peer-hi', crypto);
    const ws = new WebSocket(`ws://127.0.0.1:${wsPort}/`);
    ws.on('error', () => {});
    await new Promise((r) => ws.once('open', r));
    const wsClosed = new Promise((r) => ws.once('close', r));
    ws.send(encodeHandshake(peer, crypto), { binary: true });
    await until('peered', () => (node.host.state().peers as unknown[]).length === 1, 3000);
    const burst = Buffer.alloc(70_000);
    for (let i = 0; i < 7000; i++) burst.set([0x70, 0x69, 0x6e, 0x65, 0, 0, 0, 0, 0, 10], 10 * i);
    const sentAt = Date.now();
    ws.send(burst, { binary: true });
    await wsClosed;
    // At once, not at the 5 s keepalive timeout (the peer is silent after the burst).
    assert.ok(Date.now() - sentAt < 2000, `closed after ${Date.now() - sentAt} ms`);
    await until('link dropped', () => (node.host.state().peers as unknown[]).length === 0, 3000);
  } finally {
    for (const s of sockets) s.destroy();
    await node.stop();
  }
});

test('LAN discovery, unicast form: three nodes on one loopback port range find and peer with each other (§4.6)', {
  timeout: 15_000,
}, async (t) => {
  const nodes: LiveNode[] = [];
  t.after(async () => {
    await Promise.all(nodes.map((n) => n.stop()));
  });
  // A range of free ports: bind three, note them, release them.
  const { createSocket } = await import('node:dgram');
  const probe = createSocket('udp4');
  await new Promise<void>((r) => probe.bind(0, '127.0.0.1', () => r()));
  const base = probe.address().port;
  probe.close();
  const range = parseDiscovery(`udp://127.0.0.1:${base}-${base + 3}`);
  for (const name of ['d0', 'd1', 'd2']) {
    const n = new LiveNode({
      identity: transcriptIdentity(`live-test-${name}`, crypto),
      crypto,
      listenTcp: [parseEndpoint('tcp://127.0.0.1:0', '--listen', 'tcp', true)],
      listenWs: [],
      peers: [],
      admin: null,
      discovery: range,
      log: () => {},
    });
    nodes.push(n);
    await n.start();
  }
  const rootKey = nodes
    .map((n) => toHex(n.host.identity.publicKey))
    .sort()
    .at(-1);
  await until(
    'every node linked to both others, one root',
    () =>
      nodes.every(
        (n) =>
          n.host.state().root === rootKey &&
          new Set((n.host.state().peers as { key: string }[]).map((p) => p.key)).size === 2,
      ),
    10_000,
  );
  // Links dialled after a beacon have link type Multicast (§4.1); accepted ones arrive on the
  // shared TCP listener (the reference's multicast module has a listener of its own).
  const dialled = nodes.flatMap((n) =>
    (n.host.state().peers as { linkType: number; outbound: boolean }[]).filter((p) => p.outbound),
  );
  assert.ok(dialled.length >= 3);
  assert.ok(dialled.every((p) => p.linkType === 1));
});
