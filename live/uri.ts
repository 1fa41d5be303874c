/**
 * live/uri.ts — the addresses a live node is given: peer and listen URIs (tcp://HOST:PORT,
 * ws://HOST:PORT[/path], as the reference's `-connect` takes), and HOST:PORT for the admin port.
 */
import { InputError } from '../base/index.ts';

export interface Endpoint {
  readonly scheme: 'tcp' | 'ws';
  readonly host: string;
  readonly port: number;
  /** WebSocket path ('/' when none). */
  readonly path: string;
  readonly text: string;
}

function portOf(raw: string, flag: string, text: string, allowZero: boolean): number {
  const port = /^\d{1,5}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isInteger(port) || port > 65535 || (!allowZero && port === 0)) {
    throw new InputError(`${flag} ${text}: expected a port 1..65535${allowZero ? ' (or 0)' : ''}`);
  }
  return port;
}

/** Parse `tcp://HOST:PORT` or `ws://HOST:PORT[/path]`; `scheme` restricts it to one of them. */
export function parseEndpoint(
  text: string,
  flag: string,
  scheme: 'tcp' | 'ws' | 'any',
  allowZeroPort = false,
): Endpoint {
  const m = /^(tcp|ws):\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):([^/]*)(\/.*)?$/.exec(text);
  const want =
    scheme === 'any' ? 'tcp://HOST:PORT or ws://HOST:PORT[/path]' : `${scheme}://HOST:PORT`;
  if (m === null || (scheme !== 'any' && m[1] !== scheme)) {
    throw new InputError(`${flag} ${text}: expected ${want}`);
  }
  const host = (m[2] as string).replace(/^\[|\]$/g, '');
  return {
    scheme: m[1] as 'tcp' | 'ws',
    host,
    port: portOf(m[3] as string, flag, text, allowZeroPort),
    path: m[4] ?? '/',
    text,
  };
}

/** Parse HOST:PORT (admin); a bare PORT means 127.0.0.1:PORT. */
export function parseHostPort(text: string, flag: string): { host: string; port: number } {
  const m = /^(?:(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):)?(\d{1,5})$/.exec(text);
  if (m === null) throw new InputError(`${flag} ${text}: expected HOST:PORT, e.g. 127.0.0.1:9000`);
  return {
    host: (m[1] ?? '127.0.0.1').replace(/^\[|\]$/g, ''),
    port: portOf(m[2] as string, flag, text, true),
  };
}
