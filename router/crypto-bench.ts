/**
 * router/crypto-bench.ts — sign/verify throughput of an Ed25519 backend, for scripts/bench.ts.
 *
 * The clock is a parameter (milliseconds, supplied by the caller): router/ never reads one itself.
 */
import type { Ed25519 } from './crypto.ts';

export interface CryptoFigures {
  readonly backend: string;
  readonly signPerSecond: number;
  readonly verifyPerSecond: number;
}

/** Sign and verify `rounds` distinct 100-byte messages (bootstrap/announcement sized). */
export function measureCrypto(crypto: Ed25519, nowMs: () => number, rounds = 2000): CryptoFigures {
  const seed = new Uint8Array(32).fill(0x2a);
  const key = crypto.publicKey(seed);
  const messages: Uint8Array[] = [];
  for (let i = 0; i < rounds; i++) {
    const m = new Uint8Array(100);
    m[0] = i & 0xff;
    m[1] = i >>> 8;
    messages.push(m);
  }
  crypto.sign(seed, messages[0] as Uint8Array); // warm the key caches
  const signatures: Uint8Array[] = [];
  const t0 = nowMs();
  for (const m of messages) signatures.push(crypto.sign(seed, m));
  const t1 = nowMs();
  let ok = 0;
  for (let i = 0; i < rounds; i++) {
    if (crypto.verify(key, messages[i] as Uint8Array, signatures[i] as Uint8Array)) ok++;
  }
  const t2 = nowMs();
  if (ok !== rounds)
    throw new Error(`measureCrypto: ${rounds - ok} signatures of ${crypto.name} did not verify`);
  return {
    backend: crypto.name,
    signPerSecond: Math.round((rounds * 1000) / Math.max(t1 - t0, 1e-9)),
    verifyPerSecond: Math.round((rounds * 1000) / Math.max(t2 - t1, 1e-9)),
  };
}
