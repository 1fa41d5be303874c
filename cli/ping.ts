/**
 * cli/ping.ts — `pinelab ping KEY --admin HOST:PORT`: asks a running `pinelab node` (through its
 * admin endpoint) to send a traffic frame to KEY and prints the echo's round trip. Exit 0 on an
 * echo, 1 on a timeout, 2 on bad input.
 */
import { request } from 'node:http';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { InputError } from '../base/index.ts';
import { parseHostPort } from '../live/uri.ts';
import { fromHex } from '../router/keys.ts';

interface PingArgs {
  key: string;
  admin: string;
  count: number;
  'timeout-ms': number;
  json: boolean;
}

function get(host: string, port: number, path: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host, port, path, method: 'GET' }, (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (c: Buffer) => {
        size += c.length;
        if (size > 1 << 20) req.destroy(new Error('admin reply too large'));
        else chunks.push(c);
      });
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString() }),
      );
    });
    req.on('error', reject);
    req.end();
  });
}

export const pingCommand: CommandModule<object, PingArgs> = {
  command: 'ping <key>',
  describe: 'ping a node key through a running pinelab node (its --admin endpoint)',
  builder: (y: Argv) =>
    y
      .positional('key', { type: 'string', demandOption: true, describe: 'public key (64 hex)' })
      .option('admin', {
        type: 'string',
        demandOption: true,
        describe: "the sending node's admin endpoint HOST:PORT",
      })
      .option('count', { type: 'number', default: 1, describe: 'pings to send, one after another' })
      .option('timeout-ms', { type: 'number', default: 5000, describe: 'wait per ping' })
      .option('json', {
        type: 'boolean',
        default: false,
        describe: 'one JSON line per ping',
      }) as unknown as Argv<PingArgs>,
  handler: async (args: ArgumentsCamelCase<PingArgs>) => {
    const key = fromHex(args.key);
    if (key === null || key.length !== 32) {
      throw new InputError(`key ${args.key}: expected a public key as 64 hex digits`);
    }
    if (!Number.isInteger(args.count) || args.count < 1 || args.count > 1000) {
      throw new InputError(`--count: expected an integer 1..1000, got ${args.count}`);
    }
    const timeout = args['timeout-ms'];
    if (!Number.isInteger(timeout) || timeout < 1 || timeout > 60000) {
      throw new InputError(`--timeout-ms: expected an integer 1..60000, got ${timeout}`);
    }
    const admin = parseHostPort(args.admin, '--admin');
    let lost = 0;
    for (let i = 0; i < args.count; i++) {
      let reply: { status: number; body: string };
      try {
        reply = await get(admin.host, admin.port, `/ping?key=${args.key}&timeout_ms=${timeout}`);
      } catch (error) {
        throw new InputError(
          `--admin ${args.admin}: no pinelab node answers there (${(error as Error).message})`,
        );
      }
      let body: { rttMs?: number; error?: string };
      try {
        body = JSON.parse(reply.body) as typeof body;
      } catch {
        throw new InputError(`--admin ${args.admin}: not a pinelab node admin endpoint`);
      }
      if (reply.status === 400) throw new InputError(`ping: ${body.error}`);
      if (typeof body.rttMs !== 'number') lost++;
      if (args.json)
        process.stdout.write(`${JSON.stringify({ key: args.key, seq: i + 1, ...body })}\n`);
      else if (typeof body.rttMs === 'number') {
        process.stdout.write(
          `echo from ${args.key.slice(0, 16)}…: seq=${i + 1} time=${body.rttMs.toFixed(3)} ms\n`,
        );
      } else
        process.stdout.write(
          `no echo from ${args.key.slice(0, 16)}…: seq=${i + 1} (${body.error})\n`,
        );
    }
    if (lost > 0) process.exitCode = 1;
  },
};
