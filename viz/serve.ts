/**
 * viz/serve.ts — the viewer's local server: node:http on 127.0.0.1, read-only. Serves
 * viz/index.html at /, the bundle under /dist/, one run's files under /data/ and an optional
 * comparison run under /compare/, plus /files.json listing which run files exist (so the page
 * never requests a missing file). Builds viz/dist with esbuild first when missing or stale.
 * Node-side code: it is not part of the browser bundle.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer } from 'node:http';
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

/** The run files present in dir (schema order). */
export function presentFiles(dir: string): RunFileName[] {
  return RUN_FILES.filter((f) => existsSync(join(dir, f)));
}

/** Resolve a URL path under base, or null when it escapes base (path traversal) or is malformed. */
export function safeJoin(base: string, urlPath: string): string | null {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return null;
  }
  if (decoded.includes('\0') || decoded.split(/[\\/]/).includes('..')) return null;
  const root = resolve(base);
  const p = resolve(root, `.${decoded.startsWith('/') ? decoded : `/${decoded}`}`);
  return p === root || p.startsWith(root + sep) ? p : null;
}

export async function startViewerServer(
  runDir: string,
  options: { compareDir?: string; port?: number },
): Promise<{ url: string; close(): Promise<void> }> {
  await ensureBundle();
  const listing: FileListing = {
    run: presentFiles(runDir),
    runName: basename(resolve(runDir)),
    compare: options.compareDir ? presentFiles(options.compareDir) : null,
    compareName: options.compareDir ? basename(resolve(options.compareDir)) : null,
  };
  const routes: [string, string][] = [
    ['/data/', runDir],
    ['/dist/', join(VIZ_DIR, 'dist')],
  ];
  if (options.compareDir) routes.push(['/compare/', options.compareDir]);
  const server = createServer((req, res) => {
    void (async () => {
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        res.writeHead(405, { allow: 'GET, HEAD' }).end();
        return;
      }
      const path = (req.url ?? '/').split('?')[0] ?? '/';
      let file: string | null = null;
      if (path === '/' || path === '/index.html') file = join(VIZ_DIR, 'index.html');
      else if (path === '/files.json') {
        res
          .writeHead(200, { 'content-type': TYPES['.json']!, 'cache-control': 'no-store' })
          .end(JSON.stringify(listing));
        return;
      } else {
        for (const [prefix, dir] of routes) {
          if (path.startsWith(prefix)) file = safeJoin(dir, path.slice(prefix.length));
        }
      }
      if (file === null) {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
        return;
      }
      try {
        const body = await readFile(file);
        res
          .writeHead(200, {
            'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
            'cache-control': 'no-store',
          })
          .end(req.method === 'HEAD' ? undefined : body);
      } catch {
        res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      }
    })();
  });
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(options.port ?? 0, '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () =>
      new Promise<void>((ok) => {
        server.closeAllConnections();
        server.close(() => ok());
      }),
  };
}
