/**
 * live/admin.ts — the node's state endpoint on loopback HTTP (bound only where told):
 *   GET /state             → the LiveHost state as JSON (root, parent, coordinates, descending,
 *                            peers, counters, static peers)
 *   GET /ping?key=HEX[&timeout_ms=N] → sends a traffic frame to KEY and answers with the echo's
 *                            round trip: {"key", "rttMs"} (200) or {"error": "timeout"} (504)
 * Anything else is 404; only GET; requests carry no body and are never read.
 */
import { createServer, type Server } from 'node:http';
import { fromHex } from '../router/keys.ts';
import type { LiveHost } from './host.ts';

const MAX_PING_TIMEOUT_MS = 60_000;
/** At most this many pings waiting at once (each holds a request open). */
const MAX_PENDING_PINGS = 64;

export function startAdmin(
  host: LiveHost,
  extra: () => Record<string, unknown>,
  bind: { host: string; port: number },
): Promise<Server> {
  let pending = 0;
  const server = createServer((req, res) => {
    const reply = (status: number, body: unknown): void => {
      res.writeHead(status, { 'content-type': 'application/json' });
      res.end(`${JSON.stringify(body)}\n`);
    };
    if (req.method !== 'GET') return reply(405, { error: 'GET only' });
    const url = new URL(req.url ?? '/', 'http://admin');
    if (url.pathname === '/state') return reply(200, { ...host.state(), ...extra() });
    if (url.pathname === '/ping') {
      const key = fromHex(url.searchParams.get('key') ?? '');
      if (key === null || key.length !== 32) {
        return reply(400, { error: 'key: expected a 32-byte public key as 64 hex digits' });
      }
      const timeout = Number(url.searchParams.get('timeout_ms') ?? '5000');
      if (!Number.isInteger(timeout) || timeout < 1 || timeout > MAX_PING_TIMEOUT_MS) {
        return reply(400, { error: `timeout_ms: expected an integer 1..${MAX_PING_TIMEOUT_MS}` });
      }
      if (pending >= MAX_PENDING_PINGS) return reply(503, { error: 'too many pings waiting' });
      pending++;
      void host.ping(key, timeout).then((rtt) => {
        pending--;
        if (rtt === null) reply(504, { key: url.searchParams.get('key'), error: 'timeout' });
        else reply(200, { key: url.searchParams.get('key'), rttMs: rtt });
      });
      return;
    }
    reply(404, { error: 'try GET /state or GET /ping?key=HEX' });
  });
  server.headersTimeout = 5000;
  server.requestTimeout = MAX_PING_TIMEOUT_MS + 5000;
  server.maxConnections = 32;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(bind.port, bind.host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
