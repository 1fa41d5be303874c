/**
 * router/decisions/links.ts — the read-only shapes the pure decision functions look at.
 *
 * The router's PeerTable holds fixed-shape Link objects that satisfy `LinkInfo`; decisions read
 * them through these interfaces only, so they stay pure and allocation-free.
 */
import type { Coordinates, LinkType, Micros, Port, PublicKey, RootAnnouncement } from '../types.ts';

/** "No port" in hot paths (a number, to avoid boxing); LOCAL_PORT (0) is the local router. */
export const NO_PORT = -1;

/** One link's stored root announcement (PROTOCOL.md §5.1) with the derived coordinates cached. */
export interface StoredAnnouncement {
  readonly announcement: RootAnnouncement;
  readonly receiveTime: Micros;
  /** Node-global receive order number (§5.1 `ordering`). */
  readonly receiveOrder: number;
  /** Hop ports of the announcement: the coordinates of whoever receives it from its sender (§3.7). */
  readonly coords: Coordinates;
  /** The sender's own coordinates (coords minus the last port; §3.7 PeerCoords). */
  readonly peerCoords: Coordinates;
}

export interface LinkInfo {
  readonly port: Port;
  readonly remoteKey: PublicKey;
  /**
   * Optional keys.ts keyTag(remoteKey), kept by the router's links: scans for the links to one key
   * compare tags first and read the key's bytes only on a match.
   */
  readonly remoteTag?: number;
  readonly linkType: LinkType;
  /** False once the link is stopped (§4.5 step 1): it disappears from every selection. */
  readonly up: boolean;
  readonly stored: StoredAnnouncement | null;
}

/** True when `key` is one of the announcement's signers (loop detection, §5.4 / §5.6 2.2). */
export function announcementHasSigner(announcement: RootAnnouncement, key: PublicKey): boolean {
  const hops = announcement.hops;
  for (let i = 0; i < hops.length; i++) {
    const s = (hops[i] as RootAnnouncement['hops'][number]).signer;
    let same = true;
    for (let b = 0; b < 32; b++) {
      if (s[b] !== key[b]) {
        same = false;
        break;
      }
    }
    if (same) return true;
  }
  return false;
}
