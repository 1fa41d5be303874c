/**
 * cli/view.ts — `pinelab view <results-dir> [--compare DIR] [--open] [--port N]`: serves the
 * viewer on 127.0.0.1 until Ctrl-C. Two sweep folders (sweep.json) get the sweep compare view.
 */
import { spawn } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import type { ArgumentsCamelCase, Argv, CommandModule } from 'yargs';
import { InputError } from '../base/index.ts';
import {
  type LoopbackServer,
  presentFiles,
  serveLoopback,
  startViewerServer,
} from '../viz/serve.ts';
import { OPTIONAL_FILES, RUN_FILES } from '../viz/src/model/files.ts';
import { untilInterrupted } from './stop.ts';

/** A results folder must hold the schema's required files (paths/snapshots/pairs may be absent). */
export function checkRunDir(dir: string, flag = '<results-dir>'): void {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) {
    throw new InputError(
      `${dir}: ${flag} is not a directory (expected a results folder from pinelab run)`,
    );
  }
  // What the server will serve: regular files inside the folder (a symlink out of it is not).
  const present = presentFiles(dir);
  const missing = RUN_FILES.filter((f) => !OPTIONAL_FILES.includes(f) && !present.includes(f));
  if (missing.length > 0) {
    throw new InputError(
      `${dir}: not a pinelab results folder: missing ${missing.join(', ')} (regular files inside it; see results/schema.ts)`,
    );
  }
}

/** A port that cannot be listened on is the user's choice of port: say so in one line. */
export function listenError(
  error: unknown,
  port: number,
  flag = '--port',
  host = '127.0.0.1',
): unknown {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'EADDRINUSE') {
    return new InputError(
      `${flag} ${port}: address ${host}:${port} is in use (pick another port, or 0 for any free one)`,
    );
  }
  if (code === 'EACCES' || code === 'EADDRNOTAVAIL') {
    return new InputError(
      `${flag} ${port}: not allowed to listen on ${host}:${port} (ports below 1024 need privileges, the address must be this machine's; 0 picks a free port)`,
    );
  }
  return error;
}

interface ViewArgs {
  dir: string;
  compare?: string;
  open: boolean;
  port: number;
}

/**
 * Serve one built page (the sweep compare view) on 127.0.0.1, with viz/serve.ts's rules: loopback
 * Host with this port only (421 otherwise), GET/HEAD, nothing but the page at /.
 */
export async function servePage(html: string, listenPort: number): Promise<LoopbackServer> {
  return serveLoopback(listenPort, (req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/' && path !== '/index.html') {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res
      .writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'x-content-type-options': 'nosniff',
      })
      .end(req.method === 'HEAD' ? undefined : html);
  });
}

function tryOpen(url: string): void {
  const cmd = process.platform === 'darwin' ? 'open' : 'xdg-open';
  try {
    const child = spawn(cmd, [url], { stdio: 'ignore', detached: true });
    child.on('error', () =>
      process.stderr.write(`note: could not run ${cmd}; open ${url} yourself\n`),
    );
    child.unref();
  } catch {
    process.stderr.write(`note: could not run ${cmd}; open ${url} yourself\n`);
  }
}

export const viewCommand: CommandModule<object, ViewArgs> = {
  command: 'view <dir>',
  describe: 'serve the interactive viewer for a results folder on 127.0.0.1',
  builder: (y: Argv) =>
    y
      .positional('dir', {
        type: 'string',
        demandOption: true,
        describe: 'results folder (runs/<run-id>)',
      })
      .option('compare', {
        type: 'string',
        describe:
          'a second results folder to compare (dashed curves, a table of differences); with two sweep folders, per-metric distributions',
      })
      .option('open', { type: 'boolean', default: false, describe: 'open the page in a browser' })
      .option('port', {
        type: 'number',
        default: 0,
        describe: 'port (0 = any free port)',
      }) as unknown as Argv<ViewArgs>,
  handler: async (args: ArgumentsCamelCase<ViewArgs>) => {
    // Imported here: report.ts imports checkRunDir from this module.
    const { buildReport, checkSources } = await import('./report.ts');
    const kind = checkSources(args.dir, args.compare);
    if (!Number.isInteger(args.port) || args.port < 0 || args.port > 65535) {
      throw new InputError(`--port: expected an integer 0..65535, got ${args.port}`);
    }
    const server = await (kind === 'sweeps'
      ? // Two sweeps: the page with their distributions built in (no run files to serve).
        servePage(await buildReport(args.dir, args.compare), args.port)
      : startViewerServer(
          args.dir,
          args.compare !== undefined
            ? { compareDir: args.compare, port: args.port }
            : { port: args.port },
        )
    ).catch((error: unknown) => {
      throw listenError(error, args.port);
    });
    process.stdout.write(`pinelab viewer: ${server.url}  (Ctrl-C to stop)\n`);
    if (args.open) tryOpen(server.url);
    await untilInterrupted();
    await server.close();
  },
};
