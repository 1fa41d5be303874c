/**
 * live/transport.ts — one byte stream per peering, whatever carries it: a TCP socket, a WebSocket
 * (one binary message per write; received messages concatenate into the stream, as the reference's
 * websocket.NetConn does), or an in-memory pair for tests.
 */
import type { Socket } from 'node:net';
import type WebSocket from 'ws';
import type { Clock } from './clock.ts';

export interface ByteTransport {
  /** "tcp 127.0.0.1:1234" — for logs. */
  readonly remote: string;
  /** Queue bytes; false when more than the high-water mark is waiting (wait for onDrain). */
  write(bytes: Uint8Array): boolean;
  /** Bytes written but not yet handed to the kernel. */
  readonly buffered: number;
  /** Close after flushing what is queued (a TCP FIN, as the reference's conn.Close). */
  close(): void;
  onData(cb: (chunk: Uint8Array) => void): void;
  onDrain(cb: () => void): void;
  /** Called once, when the stream is gone (either side, or an error). */
  onClose(cb: () => void): void;
}

/** Writes queued above this are back-pressure (the router then holds frames in its own queues). */
export const WRITE_HIGH_WATER = 256 * 1024;

export function tcpTransport(socket: Socket): ByteTransport {
  socket.setNoDelay(true); // [multicast/multicast.go, connections/manager.go] no-delay on
  const remote = `tcp ${socket.remoteAddress}:${socket.remotePort}`;
  socket.on('error', () => socket.destroy());
  return {
    remote,
    write(bytes) {
      if (socket.destroyed) return true;
      socket.write(bytes);
      return socket.writableLength < WRITE_HIGH_WATER;
    },
    get buffered() {
      return socket.writableLength;
    },
    close() {
      if (socket.destroyed) return;
      socket.end();
      // A peer that never reads must not hold the socket half-open for ever.
      socket.setTimeout(3000, () => socket.destroy());
    },
    onData(cb) {
      socket.on('data', (b: Buffer) => cb(new Uint8Array(b.buffer, b.byteOffset, b.byteLength)));
    },
    onDrain(cb) {
      socket.on('drain', cb);
    },
    onClose(cb) {
      socket.once('close', cb);
    },
  };
}

export function wsTransport(ws: WebSocket, remote: string): ByteTransport {
  ws.on('error', () => ws.terminate());
  const drainers: (() => void)[] = [];
  let draining = false;
  const pollDrain = (): void => {
    // ws has no 'drain' event: look at the socket's bufferedAmount after each send callback.
    if (!draining || ws.bufferedAmount >= WRITE_HIGH_WATER) return;
    draining = false;
    for (const d of drainers) d();
  };
  return {
    remote: `ws ${remote}`,
    write(bytes) {
      if (ws.readyState !== ws.OPEN) return true;
      ws.send(bytes, { binary: true }, pollDrain);
      if (ws.bufferedAmount >= WRITE_HIGH_WATER) {
        draining = true;
        return false;
      }
      return true;
    },
    get buffered() {
      return ws.bufferedAmount;
    },
    close() {
      if (ws.readyState === ws.CLOSED) return;
      ws.close();
      setTimeout(() => ws.terminate(), 3000).unref();
    },
    onData(cb) {
      ws.on('message', (data: Buffer | ArrayBuffer | Buffer[], isBinary: boolean) => {
        if (!isBinary) return; // the reference reads binary messages only
        const parts = Array.isArray(data) ? data : [Buffer.from(data as ArrayBuffer)];
        for (const b of parts) cb(new Uint8Array(b.buffer, b.byteOffset, b.byteLength));
      });
    },
    onDrain(cb) {
      drainers.push(cb);
    },
    onClose(cb) {
      ws.once('close', cb);
    },
  };
}

/**
 * One end of an in-memory pair (tests). Writes reach the other end as a clock event at the same
 * time (never re-entering the writer's router); bytes sent before the other end listens are held.
 */
export class MemoryEnd implements ByteTransport {
  readonly remote: string;
  /** Every chunk this end wrote, in order. */
  readonly written: Uint8Array[] = [];
  closed = false;
  peer: MemoryEnd | null = null;
  readonly buffered = 0;
  private readonly dataCbs: ((c: Uint8Array) => void)[] = [];
  private readonly closeCbs: (() => void)[] = [];
  private readonly held: Uint8Array[] = [];
  private readonly clock: Clock;

  constructor(name: string, clock: Clock) {
    this.remote = `memory ${name}`;
    this.clock = clock;
  }

  write(bytes: Uint8Array): boolean {
    if (this.closed) return true;
    const copy = bytes.slice();
    this.written.push(copy);
    const p = this.peer;
    if (p !== null) this.clock.at(this.clock.now(), () => p.receive(copy));
    return true;
  }

  /** Bytes from the other end (a test may call it to inject a scripted stream). */
  receive(bytes: Uint8Array): void {
    if (this.closed) return;
    if (this.dataCbs.length === 0) this.held.push(bytes);
    else for (const cb of this.dataCbs) cb(bytes);
  }

  /** Close: the other end sees it as a clock event at the same time (a FIN). */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    for (const cb of this.closeCbs) cb();
    const p = this.peer;
    if (p !== null) this.clock.at(this.clock.now(), () => p.close());
  }

  onData(cb: (c: Uint8Array) => void): void {
    this.dataCbs.push(cb);
    for (const b of this.held.splice(0)) cb(b);
  }

  onDrain(): void {}

  onClose(cb: () => void): void {
    this.closeCbs.push(cb);
  }
}

export function memoryPair(clock: Clock): [MemoryEnd, MemoryEnd] {
  const a = new MemoryEnd('a', clock);
  const b = new MemoryEnd('b', clock);
  a.peer = b;
  b.peer = a;
  return [a, b];
}
