/**
 * router/snek-explain.ts — the human sentence for a SNEK next-hop decision (PROTOCOL.md §6.6), for
 * recordReasons. Shared by forwarding (router/forward.ts) and bootstraps (router/snake.ts).
 */
import { type SnekResult, SnekRule } from './decisions/snek-next-hop.ts';
import { toHex } from './keys.ts';
import type { PublicKey } from './types.ts';

function short(key: PublicKey): string {
  return `${toHex(key.subarray(0, 2))}…`;
}

/** The human sentence for a SNEK decision (recordReasons). */
export function explainSnek(
  res: Pick<SnekResult, 'port' | 'key' | 'seq' | 'rule'>,
  boot: boolean,
): string {
  switch (res.rule) {
    case SnekRule.Loopback:
      return 'delivered: destination key is ours';
    case SnekRule.None:
      return boot
        ? 'SNEK: bootstrap dead end, no key closer than ours'
        : 'delivered: our key is the closest greater key to the destination (SNEK)';
    case SnekRule.RootViaParent:
      return 'SNEK: climb to root via parent';
    case SnekRule.ParentAncestor:
      return `SNEK: parent's ancestor ${short(res.key)} is closer to the destination`;
    case SnekRule.PeerAncestor:
      return `SNEK: peer or its ancestor ${short(res.key)} is closer to the destination`;
    case SnekRule.DirectPeer:
      return `SNEK: direct peer with key ${short(res.key)}`;
    case SnekRule.TableEntry:
      return `SNEK: table entry for key ${short(res.key)}, better than watermark`;
    case SnekRule.ParallelLink:
      return `SNEK: preferred parallel link to key ${short(res.key)}`;
  }
}
