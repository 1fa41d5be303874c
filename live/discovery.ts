/**
 * live/discovery.ts — LAN discovery (PROTOCOL.md §4.6 [multicast/multicast.go]), unicast form.
 *
 * The reference sends a beacon every 2 s — its 32-byte key and its 2-byte TCP listening port,
 * big-endian — to 224.0.0.114 and ff02::114, UDP 60606; a node that hears a beacon from a key it
 * has no link to dials the sender's address at that TCP port with link type Multicast, one dial
 * per address at a time. Multicast would leave loopback, so pinelab models the LAN segment as a
 * range of loopback UDP ports (`udp://127.0.0.1:P1-P2`, at most 64): a node binds the first free
 * port of the range and sends its beacon to every other port of it. Same beacon bytes, same rules.
 */
import { createSocket, type Socket } from 'node:dgram';
import { InputError } from '../base/index.ts';
import { toHex } from '../router/keys.ts';

/** §4.6: beacon period [multicast/multicast.go]. */
export const BEACON_INTERVAL_MS = 2000;
export const BEACON_LENGTH = 34;
const MAX_RANGE = 64;

export interface DiscoveryRange {
  readonly host: string;
  readonly first: number;
  readonly last: number;
}

export function parseDiscovery(text: string): DiscoveryRange {
  const m = /^udp:\/\/(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost):(\d{1,5})(?:-(\d{1,5}))?$/.exec(
    text,
  );
  const first = Number(m?.[2]);
  const last = m?.[3] === undefined ? first : Number(m[3]);
  if (m === null || first < 1 || last > 65535 || last < first || last - first >= MAX_RANGE) {
    throw new InputError(
      `--discovery ${text}: expected udp://127.0.0.1:PORT or udp://127.0.0.1:FIRST-LAST (loopback, at most ${MAX_RANGE} ports)`,
    );
  }
  return { host: m[1] === 'localhost' ? '127.0.0.1' : (m[1] as string), first, last };
}

export function encodeBeacon(key: Uint8Array, tcpPort: number): Uint8Array {
  const out = new Uint8Array(BEACON_LENGTH);
  out.set(key, 0);
  out[32] = tcpPort >>> 8;
  out[33] = tcpPort & 0xff;
  return out;
}

export interface DiscoveryHooks {
  /** True when a link (or a handshake) to this key exists already. */
  linked(keyHex: string): boolean;
  /** Dial tcp://address:port as a Multicast link; call done() when the attempt has ended. */
  dial(address: string, port: number, done: () => void): void;
}

export class Discovery {
  private socket: Socket | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly dialling = new Set<string>();
  boundPort = 0;

  private readonly range: DiscoveryRange;
  private readonly key: Uint8Array;
  /** Our TCP listening port to advertise, or null to listen only. */
  private readonly tcpPort: number | null;
  private readonly hooks: DiscoveryHooks;

  constructor(
    range: DiscoveryRange,
    key: Uint8Array,
    tcpPort: number | null,
    hooks: DiscoveryHooks,
  ) {
    this.range = range;
    this.key = key;
    this.tcpPort = tcpPort;
    this.hooks = hooks;
  }

  async start(): Promise<void> {
    for (let port = this.range.first; port <= this.range.last; port++) {
      const s = createSocket({ type: 'udp4' });
      const ok = await new Promise<boolean>((resolve) => {
        s.once('error', () => resolve(false));
        s.bind(port, this.range.host, () => resolve(true));
      });
      if (!ok) {
        s.close();
        continue;
      }
      s.on('error', () => {});
      s.on('message', (msg, rinfo) => this.heard(msg, rinfo.address));
      this.socket = s;
      this.boundPort = port;
      break;
    }
    if (this.socket === null) {
      throw new InputError(
        `--discovery: every port of ${this.range.first}-${this.range.last} is taken`,
      );
    }
    this.beacon();
    this.timer = setInterval(() => this.beacon(), BEACON_INTERVAL_MS);
  }

  private beacon(): void {
    if (this.socket === null || this.tcpPort === null) return;
    const b = encodeBeacon(this.key, this.tcpPort);
    for (let port = this.range.first; port <= this.range.last; port++) {
      if (port !== this.boundPort) this.socket.send(b, port, this.range.host);
    }
  }

  private heard(msg: Buffer, address: string): void {
    if (msg.length !== BEACON_LENGTH) return;
    const key = toHex(msg.subarray(0, 32));
    if (key === toHex(this.key) || this.hooks.linked(key)) return;
    const port = ((msg[32] as number) << 8) | (msg[33] as number);
    const target = `${address}:${port}`;
    if (port === 0 || this.dialling.has(target)) return; // one dial per address at a time
    this.dialling.add(target);
    this.hooks.dial(address, port, () => this.dialling.delete(target));
  }

  stop(): void {
    if (this.timer !== null) clearInterval(this.timer);
    this.socket?.close();
    this.socket = null;
  }
}
