/**
 * cli/node.ts — `pinelab node`: a live Pinecone router process (live/node.ts) that peers over TCP
 * and WebSocket with pinelab nodes and real Pinecone routers. One JSON line per event on stdout
 * (the first, "listening", gives the key and the bound ports); stops cleanly on SIGINT/SIGTERM.
 */
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { InputError } from '../base/index.ts';
import { parseDiscovery } from '../live/discovery.ts';
import { DEFAULT_MAX_CONNECTIONS } from '../live/host.ts';
import { loadIdentity } from '../live/identity.ts';
import { LiveNode } from '../live/node.ts';
import { parseEndpoint, parseHostPort } from '../live/uri.ts';
import { createNodeEd25519 } from '../router/crypto-node.ts';
import { toHex } from '../router/keys.ts';
import { untilInterrupted } from './stop.ts';

interface NodeArgs {
  listen: string[];
  'listen-ws': string[];
  peer: string[];
  'key-seed'?: string;
  'key-file'?: string;
  admin?: string;
  'max-connections': number;
  discovery?: string;
}

function log(event: Record<string, unknown>): void {
  process.stdout.write(`${JSON.stringify({ t: new Date().toISOString(), ...event })}\n`);
}

export const nodeCommand: CommandModule<object, NodeArgs> = {
  command: 'node',
  describe:
    'run a live Pinecone node: TCP/WebSocket peerings, static peers, admin JSON on loopback',
  builder: (y: Argv) =>
    y
      .option('listen', {
        type: 'string',
        array: true,
        default: [],
        describe: 'accept TCP peerings on tcp://HOST:PORT (repeatable; port 0 = any free)',
      })
      .option('listen-ws', {
        type: 'string',
        array: true,
        default: [],
        describe: 'accept WebSocket peerings on ws://HOST:PORT (repeatable)',
      })
      .option('peer', {
        type: 'string',
        array: true,
        default: [],
        describe: 'static peer tcp://HOST:PORT or ws://HOST:PORT[/path], re-dialled (§4.6)',
      })
      .option('key-seed', { type: 'string', describe: 'identity: 32-byte ed25519 seed as hex' })
      .option('key-file', {
        type: 'string',
        describe: 'identity: seed file (hex), generated and saved (0600) when absent',
      })
      .option('admin', {
        type: 'string',
        describe: 'state endpoint HOST:PORT (HTTP JSON: /state, /ping?key=); e.g. 127.0.0.1:9000',
      })
      .option('discovery', {
        type: 'string',
        describe:
          'LAN discovery (§4.6), unicast form on loopback: udp://127.0.0.1:FIRST-LAST, beacons to every port of the range',
      })
      .option('max-connections', {
        type: 'number',
        default: DEFAULT_MAX_CONNECTIONS,
        describe: 'peerings at once, handshaking included (the router has 253 ports)',
      })
      .example('$0 node --listen tcp://127.0.0.1:7000 --admin 127.0.0.1:9000', 'a first node')
      .example(
        '$0 node --peer tcp://127.0.0.1:7000 --admin 127.0.0.1:9001',
        'a second node peering with it',
      ) as unknown as Argv<NodeArgs>,
  handler: async (args: ArgumentsCamelCase<NodeArgs>) => {
    const crypto = createNodeEd25519();
    const listenTcp = args.listen.map((u) => parseEndpoint(u, '--listen', 'tcp', true));
    const listenWs = args['listen-ws'].map((u) => parseEndpoint(u, '--listen-ws', 'ws', true));
    for (const p of args.peer) parseEndpoint(p, '--peer', 'any');
    const admin = args.admin === undefined ? null : parseHostPort(args.admin, '--admin');
    const max = args['max-connections'];
    if (!Number.isInteger(max) || max < 1 || max > 253) {
      throw new InputError(`--max-connections: expected an integer 1..253, got ${max}`);
    }
    const discovery = args.discovery === undefined ? null : parseDiscovery(args.discovery);
    const { identity, source } = loadIdentity(crypto, args['key-seed'], args['key-file']);
    const node = new LiveNode({
      identity,
      crypto,
      listenTcp,
      listenWs,
      peers: args.peer,
      admin,
      maxConnections: max,
      discovery,
      log,
    });
    try {
      await node.start();
    } catch (error) {
      await node.stop();
      const e = error as NodeJS.ErrnoException;
      throw new InputError(`cannot listen: ${e.code ?? ''} ${e.message}`.trim());
    }
    log({
      event: 'listening',
      key: toHex(identity.publicKey),
      identity: source,
      bound: node.bound,
      peers: args.peer,
    });
    await untilInterrupted();
    await node.stop();
    process.exit(0);
  },
};
