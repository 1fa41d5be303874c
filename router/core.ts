/**
 * router/core.ts — what the per-concern modules (tree, snake, forward, broadcast) share: the
 * router's state and the few actions they call back. The Router (router/router.ts) is the one
 * implementation. In a module of its own, naming only state modules (peers, tree-state,
 * snake-state) that import nothing of the handlers, so no module of router/ imports itself
 * through a cycle (test/architecture.test.ts checks).
 */
import type { CoordsCache } from './coords-cache.ts';
import type { Ed25519 } from './crypto.ts';
import type { RouterOptions } from './options.ts';
import type { Link, PeerTable } from './peers.ts';
import type { SnakeState } from './snake-state.ts';
import type { TreeState } from './tree-state.ts';
import type { Effects, Frame, Identity, LinkDropReason, Micros } from './types.ts';
import type { RouterVariant } from './variant.ts';

export interface RouterCore {
  readonly options: RouterOptions;
  /** Replaced decisions (router/variant.ts), or null: the reference's own. */
  readonly variant: RouterVariant | null;
  readonly identity: Identity;
  /** Signing/verification backend, or null when signatures are disabled (§2 insecure mode). */
  readonly signer: Ed25519 | null;
  /**
   * The run's per-object facts of the codecs (Ed25519.memo of the backend the router was given,
   * signatures on or off), or undefined: a parsed payload is then parsed again at every hop.
   */
  readonly memo: WeakMap<object, object> | undefined;
  readonly peers: PeerTable;
  readonly tree: TreeState;
  readonly snake: SnakeState;
  readonly cache: CoordsCache;
  /** Virtual time and effects sink of the event being handled. */
  now: Micros;
  fx: Effects;
  /** Send on a link's protocol FIFO (§7.3). */
  sendProtocol(link: Link, frame: Frame): void;
  /** Clean the link's state (§4.5) and tell the host (fx.closeLink). */
  closeLink(link: Link, reason: LinkDropReason): void;
  /** Arm a fresh hold-down instance (never cancels an earlier one, §5.4). */
  armHoldDown(at: Micros): void;
}
