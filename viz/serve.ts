/**
 * viz/serve.ts — the viewer's local server: node:http on 127.0.0.1, read-only. Serves
 * viz/index.html at /, the bundle under /dist/, one run's files under /data/ and an optional
 * comparison run under /compare/, plus /files.json listing which run files exist (so the page
 * never requests a missing file). Builds viz/dist with esbuild first when missing or stale.
 *
 * Only what the page needs is served, so nothing else leaks: the run files named by
 * results/schema.ts, as regular files inside the folder (no dotfiles, nothing else the folder
 * holds, no symlink leading out of it), and only to requests whose Host is a loopback name with
 * this port (421 otherwise). Node-side code: it is not part of the browser bundle.
 */
import { constants, existsSync, readdirSync, realpathSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { basename, extname, join, resolve, sep } from 'node:path';
import { build } from 'esbuild';
import { type FileListing, RUN_FILES, type RunFileName } from './src/model/files.ts';

export const VIZ_DIR = import.meta.dirname;
export const BUNDLE = join(VIZ_DIR, 'dist', 'main.js');

const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.csv': 'text/csv; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
};

function newestMtime(dir: string): number {
  let newest = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    newest = Math.max(newest, e.isDirectory() ? newestMtime(p) : statSync(p).mtimeMs);
  }
  return newest;
}

/** Build viz/dist/main.js (IIFE, so it runs from file:// and when inlined) if missing or older than viz/src. */
export async function ensureBundle(): Promise<string> {
  const stale = !existsSync(BUNDLE) || statSync(BUNDLE).mtimeMs < newestMtime(join(VIZ_DIR, 'src'));
  if (stale) {
    await build({
      entryPoints: [join(VIZ_DIR, 'src', 'main.ts')],
      bundle: true,
      format: 'iife',
      target: 'es2022',
      outdir: join(VIZ_DIR, 'dist'),
      logLevel: 'error',
    });
  }
  return BUNDLE;
}

/**
 * The real path of `name` inside `dir` when it is a regular file that stays inside the folder
 * (a symlink to another file of the folder is fine; one leading out of it is not), else null.
 */
export function runFilePath(dir: string, name: string): string | null {
  try {
    const root = realpathSync(dir);
    const real = realpathSync(join(root, name));
    if (!real.startsWith(root + sep)) return null;
    return statSync(real).isFile() ? real : null;
  } catch {
    return null;
  }
}

/** The run files present in dir (schema order): regular files inside it, no links out of it. */
export function presentFiles(dir: string): RunFileName[] {
  return RUN_FILES.filter((f) => runFilePath(dir, f) !== null);
}

/**
 * Read a regular file without following a symlink in its last component (runFilePath resolved
 * them already: one that appeared since is refused rather than followed).
 */
async function readRegular(file: string): Promise<Buffer> {
  const handle = await open(file, constants.O_RDONLY | constants.O_NOFOLLOW);
  try {
    if (!(await handle.stat()).isFile()) throw new Error(`${file}: not a regular file`);
    return await handle.readFile();
  } finally {
    await handle.close();
  }
}

/** Where a request path points: the page, the listing, the bundle, or a run file by name. */
export type Target =
  | { readonly kind: 'index' }
  | { readonly kind: 'listing' }
  | { readonly kind: 'bundle'; readonly name: string }
  | { readonly kind: 'run' | 'compare'; readonly name: RunFileName };

/** Files of viz/dist the page may load (esbuild writes main.js; a sourcemap when asked). */
const BUNDLE_FILES: readonly string[] = ['main.js', 'main.js.map'];

/**
 * Map a request path (query string already removed) to what it may serve, or null. Only exact
 * names from an allow-list pass (results/schema.ts's run files, the bundle), so traversal,
 * dotfiles, subfolders and anything else the folder holds are never reachable by construction.
 */
export function routeOf(path: string): Target | null {
  if (path === '/' || path === '/index.html') return { kind: 'index' };
  if (path === '/files.json') return { kind: 'listing' };
  const m = /^\/(data|compare|dist)\/([^/]+)$/.exec(path);
  if (!m) return null;
  let name: string;
  try {
    name = decodeURIComponent(m[2]!);
  } catch {
    return null;
  }
  if (m[1] === 'dist') return BUNDLE_FILES.includes(name) ? { kind: 'bundle', name } : null;
  if (!(RUN_FILES as readonly string[]).includes(name)) return null;
  return { kind: m[1] === 'data' ? 'run' : 'compare', name: name as RunFileName };
}

/**
 * True when a request's Host header names this server as a loopback name: 127.0.0.1, localhost
 * or [::1], with the port it listens on. Anything else is refused (421): a page on another origin
 * whose DNS name was pointed at 127.0.0.1 (DNS rebinding) would otherwise read the run through the
 * browser, the same-origin check being by name. Port 80 may be left out, as browsers do.
 */
export function hostAllowed(host: string | undefined, port: number): boolean {
  if (host === undefined) return false;
  const m = /^(127\.0\.0\.1|localhost|\[::1\])(?::(\d{1,5}))?$/i.exec(host);
  if (!m) return false;
  return m[2] === undefined ? port === 80 : Number(m[2]) === port;
}

/** A server started by serveLoopback: its address and how to stop it (open connections too). */
export interface LoopbackServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Listen on 127.0.0.1:`listenPort` (0: any free port) with the rules every viewer page shares:
 * a Host that is not a loopback name with this port gets 421 (hostAllowed), a method other than
 * GET/HEAD gets 405; anything else goes to `handle`. Rejects with the listen error (EADDRINUSE…).
 */
export async function serveLoopback(
  listenPort: number,
  handle: (req: IncomingMessage, res: ServerResponse) => void,
): Promise<LoopbackServer> {
  let port = 0;
  const server = createServer((req, res) => {
    if (!hostAllowed(req.headers.host, port)) {
      res.writeHead(421, { 'content-type': 'text/plain' }).end('misdirected request');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    handle(req, res);
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(listenPort, '127.0.0.1', () => {
      port = (server.address() as AddressInfo).port;
      ok();
    });
  });
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}

export async function startViewerServer(
  runDir: string,
  options: { compareDir?: string; port?: number },
): Promise<LoopbackServer> {
  await ensureBundle();
  const listing: FileListing = {
    run: presentFiles(runDir),
    runName: basename(resolve(runDir)),
    compare: options.compareDir ? presentFiles(options.compareDir) : null,
    compareName: options.compareDir ? basename(resolve(options.compareDir)) : null,
  };
  return serveLoopback(options.port ?? 0, (req, res) => {
    void (async () => {
      const target = routeOf((req.url ?? '/').split('?')[0] ?? '/');
      if (target?.kind === 'listing') {
        res
          .writeHead(200, { 'content-type': TYPES['.json']!, 'cache-control': 'no-store' })
          .end(JSON.stringify(listing));
        return;
      }
      let file: string | null = null;
      if (target?.kind === 'index') file = join(VIZ_DIR, 'index.html');
      else if (target?.kind === 'bundle') file = join(VIZ_DIR, 'dist', target.name);
      else if (target?.kind === 'run') file = runFilePath(runDir, target.name);
      else if (target?.kind === 'compare' && options.compareDir !== undefined) {
        file = runFilePath(options.compareDir, target.name);
      }
      if (file === null) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      try {
        const body = await readRegular(file);
        res
          .writeHead(200, {
            'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
            'cache-control': 'no-store',
            'x-content-type-options': 'nosniff',
          })
          .end(req.method === 'HEAD' ? undefined : body);
      } catch {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      }
    })();
  });
}
