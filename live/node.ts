/**
 * live/node.ts — a whole live Pinecone node: a LiveHost on the wall clock, TCP and WebSocket
 * listeners, static peers re-dialled (§4.6), the admin endpoint, structured logs, clean stop.
 * Every listener binds only to the address it is given (the CLI defaults to 127.0.0.1).
 */
import { createServer as createHttpServer, type Server as HttpServer } from 'node:http';
import { type AddressInfo, connect, createServer, type Server } from 'node:net';
import WebSocket, { WebSocketServer } from 'ws';
import type { Ed25519 } from '../router/crypto.ts';
import { toHex } from '../router/keys.ts';
import type { RouterOptions } from '../router/options.ts';
import type { Identity } from '../router/types.ts';
import { LinkType } from '../router/types.ts';
import { startAdmin } from './admin.ts';
import { WallClock } from './clock.ts';
import { Discovery, type DiscoveryRange } from './discovery.ts';
import { type LiveEvent, LiveHost, REMOTE_LINK } from './host.ts';
import { DIAL_TIMEOUT_MS, type DialOutcome, StaticPeers } from './static-peers.ts';
import { tcpTransport, wsTransport } from './transport.ts';
import { type Endpoint, parseEndpoint } from './uri.ts';

/** A WebSocket message carries one frame (≤ 65535 bytes) or the 104-byte handshake. */
const WS_MAX_PAYLOAD = 65535;

export interface LiveNodeConfig {
  readonly identity: Identity;
  readonly crypto: Ed25519;
  readonly listenTcp: readonly Endpoint[];
  readonly listenWs: readonly Endpoint[];
  readonly peers: readonly string[];
  readonly admin: { host: string; port: number } | null;
  readonly maxConnections?: number;
  /** LAN discovery, unicast form (live/discovery.ts); off when absent. */
  readonly discovery?: DiscoveryRange | null;
  readonly options?: Partial<RouterOptions>;
  readonly log: (e: LiveEvent) => void;
}

export interface BoundAddress {
  readonly kind: 'tcp' | 'ws' | 'admin' | 'discovery';
  readonly host: string;
  readonly port: number;
}

export class LiveNode {
  readonly host: LiveHost;
  readonly bound: BoundAddress[] = [];
  private readonly config: LiveNodeConfig;
  private readonly servers: (Server | HttpServer)[] = [];
  private readonly wss: WebSocketServer[] = [];
  private readonly dialling = new Set<{ abort(): void }>();
  private statics: StaticPeers | null = null;
  private discovery: Discovery | null = null;

  constructor(config: LiveNodeConfig) {
    this.config = config;
    const clock = new WallClock();
    this.host = new LiveHost({
      identity: config.identity,
      crypto: config.crypto,
      clock,
      // Bootstrap sequences are Unix ms in the reference (§3.8): the wall clock at start.
      options: { clockEpochMs: Date.now(), ...config.options },
      random: Math.random,
      log: config.log,
      ...(config.maxConnections !== undefined ? { maxConnections: config.maxConnections } : {}),
    });
  }

  async start(): Promise<void> {
    this.host.start();
    for (const ep of this.config.listenTcp) await this.listenTcp(ep);
    for (const ep of this.config.listenWs) await this.listenWs(ep);
    if (this.config.admin !== null) {
      const s = await startAdmin(this.host, () => this.extraState(), this.config.admin);
      this.servers.push(s);
      this.bound.push({
        kind: 'admin',
        host: this.config.admin.host,
        port: (s.address() as AddressInfo).port,
      });
    }
    this.statics = new StaticPeers(
      this.config.peers,
      this.host.clock,
      (uri, outcome) => this.dial(uri, outcome),
      (event, uri, extra) => this.config.log({ event, uri, ...extra }),
    );
    this.statics.start();
    if (this.config.discovery !== undefined && this.config.discovery !== null) {
      const tcp = this.bound.find((b) => b.kind === 'tcp');
      this.discovery = new Discovery(
        this.config.discovery,
        this.config.identity.publicKey,
        tcp?.port ?? null,
        {
          linked: (key) =>
            [...this.host.peerings].some(
              (p) => p.state !== 'closed' && p.remoteKey !== null && toHex(p.remoteKey) === key,
            ),
          dial: (address, port, done) => {
            this.config.log({ event: 'discovered', address, port });
            const outcome: DialOutcome = { up: done, failed: done, gone: () => {} };
            this.dial(`tcp://${address}:${port}`, outcome, LinkType.Multicast);
          },
        },
      );
      await this.discovery.start();
      this.bound.push({
        kind: 'discovery',
        host: this.config.discovery.host,
        port: this.discovery.boundPort,
      });
    }
  }

  private extraState(): Record<string, unknown> {
    return { staticPeers: this.statics?.status() ?? [], listening: this.bound };
  }

  private listenTcp(ep: Endpoint): Promise<void> {
    const server = createServer((socket) => {
      this.host.attach(tcpTransport(socket), REMOTE_LINK, false);
    });
    return this.listen(server, ep, 'tcp');
  }

  private async listenWs(ep: Endpoint): Promise<void> {
    const http = createHttpServer((_req, res) => {
      res.writeHead(426, { 'content-type': 'text/plain' });
      res.end('pinecone: WebSocket only\n');
    });
    http.headersTimeout = 5000;
    const wss = new WebSocketServer({ server: http, maxPayload: WS_MAX_PAYLOAD });
    wss.on('connection', (ws, req) => {
      const remote = `${req.socket.remoteAddress}:${req.socket.remotePort}`;
      this.host.attach(wsTransport(ws, remote), REMOTE_LINK, false);
    });
    this.wss.push(wss);
    await this.listen(http, ep, 'ws');
  }

  private listen(server: Server | HttpServer, ep: Endpoint, kind: 'tcp' | 'ws'): Promise<void> {
    server.maxConnections = this.host.maxConnections;
    this.servers.push(server);
    return new Promise((resolve, reject) => {
      server.once('error', reject);
      server.listen(ep.port, ep.host, () => {
        server.off('error', reject);
        const port = (server.address() as AddressInfo).port;
        this.bound.push({ kind, host: ep.host, port });
        resolve();
      });
    });
  }

  /** One static-peer attempt: connect (5 s timeout), then the handshake decides up or failed. */
  private dial(uri: string, outcome: DialOutcome, linkType: LinkType = REMOTE_LINK): void {
    const ep = parseEndpoint(uri, '--peer', 'any');
    let opened = false;
    const adopt = (peering: ReturnType<LiveHost['attach']>): void => {
      if (peering === null) {
        outcome.failed('refused locally');
        return;
      }
      let wasUp = false;
      peering.onUp = () => {
        wasUp = true;
        outcome.up();
      };
      peering.onGone = () => {
        if (wasUp) outcome.gone();
        else outcome.failed('handshake');
      };
    };
    if (ep.scheme === 'tcp') {
      const socket = connect({ host: ep.host, port: ep.port });
      const handle = { abort: () => socket.destroy() };
      this.dialling.add(handle);
      socket.setTimeout(DIAL_TIMEOUT_MS, () => {
        if (!opened) socket.destroy(new Error('dial timeout'));
      });
      socket.once('error', (e) => {
        if (!opened) outcome.failed(e.message);
      });
      socket.once('close', () => this.dialling.delete(handle));
      socket.once('connect', () => {
        opened = true;
        socket.setTimeout(0);
        adopt(this.host.attach(tcpTransport(socket), linkType, true));
      });
      return;
    }
    const url = `ws://${ep.host.includes(':') ? `[${ep.host}]` : ep.host}:${ep.port}${ep.path}`;
    const ws = new WebSocket(url, {
      handshakeTimeout: DIAL_TIMEOUT_MS,
      maxPayload: WS_MAX_PAYLOAD,
    });
    const handle = { abort: () => ws.terminate() };
    this.dialling.add(handle);
    ws.once('error', (e) => {
      if (!opened) outcome.failed(e.message);
    });
    ws.once('close', () => this.dialling.delete(handle));
    ws.once('open', () => {
      opened = true;
      adopt(this.host.attach(wsTransport(ws, `${ep.host}:${ep.port}`), linkType, true));
    });
  }

  /** Close listeners, peerings, dials and the admin port; resolves when the servers are closed. */
  async stop(): Promise<void> {
    this.statics?.stop();
    this.discovery?.stop();
    for (const d of this.dialling) d.abort();
    this.host.stop();
    for (const w of this.wss) for (const c of w.clients) c.terminate();
    await Promise.all(
      this.servers.map(
        (s) =>
          new Promise<void>((resolve) => {
            s.close(() => resolve());
            if ('closeAllConnections' in s) s.closeAllConnections();
          }),
      ),
    );
    this.config.log({ event: 'stopped', key: toHex(this.config.identity.publicKey) });
  }
}
