/**
 * run/run-setup.ts — what the executor (run/execute.ts) builds a run from: router
 * options out of a scenario, the crypto backend, the run id's parts, and the SNEK decision reader
 * for paths.json.
 */
import { basename, extname } from 'node:path';
import { InputError } from '../base/index.ts';
import type { CollectorOptions } from '../results/collector.ts';
import { explainSnekDecision, snekInputsOf } from '../results/snek-decision.ts';
import type { Ed25519 } from '../router/crypto.ts';
import { withVerificationCache } from '../router/crypto-cache.ts';
import { createNobleEd25519 } from '../router/crypto-noble.ts';
import { createNodeEd25519 } from '../router/crypto-node.ts';
import { createTrustEd25519 } from '../router/crypto-trust.ts';
import { toHex } from '../router/keys.ts';
import { Router } from '../router/router.ts';
import { parseDuration } from '../scenarios/duration.ts';
import type { CryptoName, Scenario } from '../scenarios/types.ts';
import type { Host } from '../sim/host.ts';

/** The collector's `decide`: a node's §6.6 decision read from its router at the hop. */
export function hopDecider(host: Host): NonNullable<CollectorOptions['decide']> {
  return (node, destination, watermark) => {
    const i = host.indexOf(node);
    const d = host.indexOf(destination);
    const router = i === undefined ? null : host.routerAt(i);
    if (!(router instanceof Router) || d === undefined) return null;
    const names = new Map<string, string>();
    for (const n of host.nodeNames()) names.set(toHex(host.keyAt(host.indexOf(n) as number)), n);
    return explainSnekDecision(snekInputsOf(router, host.keyAt(d), watermark), {
      key: (k) => names.get(toHex(k)) ?? null,
      port: (p) => {
        const peer = host.peerAt(i as number, p);
        return peer < 0 ? null : host.nameAt(peer);
      },
    });
  };
}

/** Router options from a scenario: durations ("5s") become Micros; the router validates the rest. */
export function routerOptionsOf(scenario: Scenario): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(scenario.router)) {
    if (typeof v === 'string') {
      const us = parseDuration(v);
      if (us === null)
        throw new InputError(
          `${scenario.source}: router.${k}: expected a duration, a number or true/false`,
        );
      out[k] = us;
    } else out[k] = v;
  }
  if (scenario.measure.paths) out['recordReasons'] = true;
  return out;
}

export function createCrypto(name: CryptoName): Ed25519 {
  if (name === 'noble') return withVerificationCache(createNobleEd25519());
  if (name === 'trust') return createTrustEd25519(createNodeEd25519());
  return withVerificationCache(createNodeEd25519());
}

/** File name without extension, or the whole generator spec; made safe for a folder name. */
export function runIdBase(source: string, isFile: boolean): string {
  const base = isFile ? basename(source, extname(source)) : source;
  return base.replace(/[^A-Za-z0-9._-]+/g, '_').replace(/^_+|_+$/g, '') || 'run';
}

/**
 * A generator spec without its trailing `,seed=S` when S is the run seed: the id's `-sS` says it
 * already (else `--seed 7` would name the folder ba_500_m_2_seed_7-s7-…). A different topology
 * seed stays.
 */
export function withoutRunSeed(source: string, seed: string): string {
  const tail = `,seed=${seed}`;
  return source.endsWith(tail) ? source.slice(0, -tail.length) : source;
}
