/**
 * cli/emulate.ts — `pinelab emulate --topology FILE --bridge NODE=tcp://127.0.0.1:PORT`: the
 * simulation paced by the wall clock, with external Pinecone routers (a `pinelab node`, or any
 * implementation listening on TCP) in the place of simulated nodes (live/bridge.ts).
 *
 * Pacing: every 2 ms the scheduler runs towards the wall-clock time, in slices of at most ~20 ms
 * of computing (the sockets are served between them). When the network needs more computing than
 * real time allows, the virtual clock trails the wall clock; one JSON line every 5 s reports the
 * virtual time, how far behind it is now and at worst, so the user sees the largest network the
 * machine can emulate (the external router's keepalives, 3 s / 5 s, §4.3, are what breaks first).
 * Admin (loopback HTTP): GET /state (pace, roots), GET /ping?from=NAME&key=HEX (a simulated node
 * pings a key; the echo's wall-clock round trip).
 */
import { createServer } from 'node:http';
import { connect } from 'node:net';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { InputError } from '../base/index.ts';
import { BridgeRouter, EchoRouter, type Inject } from '../live/bridge.ts';
import { HandshakeReader } from '../live/deframer.ts';
import { parseEndpoint, parseHostPort } from '../live/uri.ts';
import { createNodeEd25519 } from '../router/crypto-node.ts';
import { fromHex, toHex } from '../router/keys.ts';
import { Router } from '../router/router.ts';
import type { Identity, Micros, PublicKey, RouterLike } from '../router/types.ts';
import { isCodecError } from '../router/wire/errors.ts';
import { checkHandshake } from '../router/wire/handshake.ts';
import { Host } from '../sim/host.ts';
import { IdentitySource } from '../sim/identities.ts';
import { resolveTopology } from '../topologies/index.ts';
import { untilInterrupted } from './stop.ts';
import { listenError } from './view.ts';

interface EmulateArgs {
  topology: string;
  bridge: string[];
  seed: string;
  admin?: string;
  duration?: number;
}

function log(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ t: new Date().toISOString(), ...event })}\n`);
}

/** The external router's key: it writes its handshake first (§3.1); we read it and hang up. */
function externalKey(host: string, port: number): Promise<PublicKey> {
  const crypto = createNodeEd25519();
  return new Promise((resolve, reject) => {
    const socket = connect({ host, port });
    const reader = new HandshakeReader();
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new InputError(`--bridge ${host}:${port}: no handshake within 10 s`));
    }, 10_000);
    socket.on('error', (e) => {
      clearTimeout(timer);
      reject(new InputError(`--bridge ${host}:${port}: ${e.message}`));
    });
    socket.on('data', (c: Buffer) => {
      const got = reader.push(c);
      if (got === null) return;
      clearTimeout(timer);
      socket.destroy();
      const hs = checkHandshake(got.handshake, crypto);
      if (isCodecError(hs)) reject(new InputError(`--bridge ${host}:${port}: ${hs.message}`));
      else resolve(hs.publicKey);
    });
  });
}

export const emulateCommand: CommandModule<object, EmulateArgs> = {
  command: 'emulate',
  describe: 'run a simulated network in real time with external routers bridged in for some nodes',
  builder: (y: Argv) =>
    y
      .option('topology', {
        type: 'string',
        demandOption: true,
        describe: 'file or generator spec',
      })
      .option('bridge', {
        type: 'string',
        array: true,
        default: [],
        describe: 'NODE=tcp://HOST:PORT: the external router listening there replaces NODE',
      })
      .option('seed', { type: 'string', default: '1', describe: 'run seed (keys, start times)' })
      .option('admin', { type: 'string', describe: 'HOST:PORT for /state and /ping' })
      .option('duration', {
        type: 'number',
        describe: 'stop after this many seconds',
      }) as unknown as Argv<EmulateArgs>,
  handler: async (args: ArgumentsCamelCase<EmulateArgs>) => {
    const crypto = createNodeEd25519();
    const topo = resolveTopology(args.topology, { seed: args.seed });
    const names = topo.graph.nodes();
    const bridges = new Map<string, { host: string; port: number; key: PublicKey }>();
    for (const spec of args.bridge) {
      const m = /^([^=]+)=(.+)$/.exec(spec);
      if (m === null) throw new InputError(`--bridge ${spec}: expected NODE=tcp://HOST:PORT`);
      const node = m[1] as string;
      if (!topo.graph.hasNode(node))
        throw new InputError(`--bridge ${spec}: no node ${node} in ${topo.source}`);
      const ep = parseEndpoint(m[2] as string, '--bridge', 'tcp');
      bridges.set(node, { host: ep.host, port: ep.port, key: await externalKey(ep.host, ep.port) });
    }
    const admin = args.admin === undefined ? null : parseHostPort(args.admin, '--admin');
    const ids = new IdentitySource(args.seed, crypto);
    const byKey = new Map<string, Identity>();
    for (const n of names)
      if (!bridges.has(n)) byKey.set(toHex(ids.identity(n).publicKey), ids.identity(n));
    const epochMs = Date.now();
    const routers = new Map<string, RouterLike>();
    // Called only from inside the simulation (routers exist after loadTopology), so `host` is set.
    const inject: Inject = (fn) => host.at(host.now, () => fn(host.now));
    const host: Host = new Host({
      seed: args.seed,
      identity: (name) => {
        const b = bridges.get(name);
        return b === undefined
          ? ids.identity(name)
          : { seed: new Uint8Array(32), publicKey: b.key };
      },
      routerFactory: (identity, _i, name) => {
        const b = bridges.get(name);
        const r: RouterLike =
          b === undefined
            ? new EchoRouter(
                new Router(
                  identity,
                  { clockEpochMs: epochMs },
                  crypto,
                  host.streams.sparse(`router:${name}`),
                ),
                inject,
              )
            : new BridgeRouter({
                name,
                publicKey: b.key,
                host: b.host,
                port: b.port,
                identityOf: (key) => byKey.get(toHex(key)) ?? null,
                crypto,
                inject,
                log,
              });
        routers.set(name, r);
        return r;
      },
      transport: 'stream',
      repeer: 'static',
    });
    const edges: { source: string; target: string }[] = [];
    topo.graph.forEachEdge((_e, _a, source, target) => edges.push({ source, target }));
    host.loadTopology(names, edges, topo.source);
    const start = performance.now();
    const wall = (): Micros => Math.floor((performance.now() - start) * 1000);
    let behind = 0;
    let maxBehind = 0;
    let running = true;
    // Slices of at most ~20 ms of computing, so the sockets of bridged routers are served between
    // them; behind = how far the virtual clock trails the wall clock at the end of a slice.
    const step = (): void => {
      if (!running) return;
      const target = wall();
      const deadline = performance.now() + 20;
      for (;;) {
        if (host.runBatch(target, 2000) < 2000) {
          host.runUntil(target); // nothing left up to target: just moves the clock there
          break;
        }
        if (performance.now() > deadline) break;
      }
      behind = Math.max(0, (wall() - host.now) / 1000);
      if (behind > maxBehind) maxBehind = behind;
      setTimeout(step, 2);
    };
    const pace = (): Record<string, unknown> => ({
      virtualS: host.now / 1e6,
      behindMs: Math.round(behind * 10) / 10,
      maxBehindMs: Math.round(maxBehind * 10) / 10,
      nodes: names.length,
    });
    const report = setInterval(() => {
      log({ event: 'pace', ...pace() });
      maxBehind = 0;
    }, 5000);
    const server =
      admin === null
        ? null
        : createServer((req, res) => {
            const reply = (status: number, body: unknown): void => {
              res.writeHead(status, { 'content-type': 'application/json' });
              res.end(`${JSON.stringify(body)}\n`);
            };
            const url = new URL(req.url ?? '/', 'http://admin');
            if (url.pathname === '/state') {
              const roots = new Map<string, number>();
              for (const n of names) {
                if (bridges.has(n)) continue;
                const k = toHex(host.view(n).rootKey);
                roots.set(k, (roots.get(k) ?? 0) + 1);
              }
              return reply(200, {
                ...pace(),
                roots: Object.fromEntries(roots),
                bridges: [...bridges].map(([n, b]) => ({ node: n, key: toHex(b.key) })),
                keys: Object.fromEntries(names.map((n) => [n, toHex(host.view(n).key)])),
              });
            }
            if (url.pathname === '/ping') {
              const from = routers.get(url.searchParams.get('from') ?? '');
              const key = fromHex(url.searchParams.get('key') ?? '');
              if (!(from instanceof EchoRouter) || key === null || key.length !== 32) {
                return reply(400, { error: 'from: a simulated node name; key: 64 hex digits' });
              }
              const sent = performance.now();
              const timer = setTimeout(() => reply(504, { error: 'timeout' }), 5000);
              inject((now) =>
                from.ping(now, key, () => {
                  clearTimeout(timer);
                  reply(200, { rttMs: performance.now() - sent });
                }),
              );
              return;
            }
            reply(404, { error: 'GET /state or /ping?from=NAME&key=HEX' });
          });
    if (server !== null && admin !== null) {
      await new Promise<void>((resolve, reject) => {
        server.once('error', (error) =>
          reject(listenError(error, admin.port, '--admin', admin.host)),
        );
        server.listen(admin.port, admin.host, () => resolve());
      });
      const a = server.address();
      log({ event: 'admin', port: typeof a === 'object' && a !== null ? a.port : null });
    }
    log({
      event: 'emulating',
      topology: topo.source,
      nodes: names.length,
      bridges: [...bridges.keys()],
    });
    step();
    await untilInterrupted(args.duration !== undefined ? args.duration * 1000 : undefined);
    running = false;
    clearInterval(report);
    log({ event: 'stopped', ...pace() });
    for (const r of routers.values()) if (r instanceof BridgeRouter) r.stop();
    server?.close();
    process.exit(0);
  },
};
