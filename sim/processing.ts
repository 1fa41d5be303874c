/**
 * sim/processing.ts — the optional per-node CPU model (without it, processing takes no time):
 * a real router spends CPU time on every frame it handles and on every signature it
 * checks or makes, on one core, one thing at a time, so a busy node delays what follows.
 *
 * The model (README "Model: processing"):
 * - A received frame costs `frame` µs (decode + handling) plus `verify` µs per signature checked:
 *   an announcement's every entry (PROTOCOL.md §5.4 step 1, §3.7, §9.1 item 8), one for a bootstrap
 *   at every node it reaches (§6.5 step 3), one for a wakeup broadcast (§7.7); keepalives and
 *   traffic carry none (§9.1 item 8: "traffic is unsigned").
 * - A sent frame costs `sign` µs when this node signed it: every announcement sent (one entry signed
 *   per link, §5.3 forPeer), a bootstrap this node originated (destination key = own key, §6.4) and
 *   a wakeup broadcast it originated (source key = own key, §7.7; signed once however many links
 *   it floods to). Signatures in the simulator are made on first read (README "Large networks");
 *   the model charges what a real router pays, independent of that optimisation.
 * - One CPU per node, first come first served (`Cpu`): a frame arriving at t is handled at
 *   max(t, CPU free) + its receive cost, and what it sends leaves when the signatures made before it
 *   are done. Router timers queue on the same CPU at no cost of their own: the reference runs
 *   frame handling and timers in one actor (router/state.go: the state actor; timers Act on it).
 * - With signatures disabled (router option `signatures: false`, PINECONE_DISABLE_SIGNATURES, §2)
 *   only the per-frame cost remains.
 *
 * Costs are integer µs (the scheduler's unit). Presets and their sources are in PRESET_COSTS.
 */

import { InputError } from '../base/index.ts';
import { keysEqual } from '../router/keys.ts';
import type { Frame, Micros, PublicKey } from '../router/types.ts';
import { FrameType } from '../router/types.ts';
import { isCodecError } from '../router/wire/errors.ts';
import { decodeFrame } from '../router/wire/frame.ts';

export const PROCESSING_PRESETS = ['off', 'server', 'phone'] as const;
export type ProcessingPreset = (typeof PROCESSING_PRESETS)[number];

/** CPU cost of one operation, integer µs. */
export interface ProcessingCosts {
  /** Decoding and handling one received frame, signatures excluded. */
  readonly frame: Micros;
  /** One ed25519 verification. */
  readonly verify: Micros;
  /** One ed25519 signature. */
  readonly sign: Micros;
}

/**
 * Preset costs.
 *
 * server — measured on this machine (AMD EPYC, 2 cores, Node 20, OpenSSL 3.0) with node:crypto,
 *   5 runs of router/crypto-bench.ts measureCrypto over 5,000 100-byte messages
 *   (`node --import tsx scripts/processing-report.ts --crypto`): sign 37–52 µs, verify 109–144 µs;
 *   rounded to sign 40 µs, verify 120 µs. Consistent with lib25519's published table for OpenSSL on
 *   Zen 3 (sign 110,711 cycles, verify 370,539 cycles ≈ 37 µs and 124 µs at 3 GHz). Go's
 *   crypto/ed25519, the reference's library, is about twice as fast on x86 (verify ~50–60 µs on a
 *   Xeon 8375C and on Apple M1, dalek-cryptography/ed25519-dalek#200), so `server` is a
 *   server running OpenSSL-speed crypto, or a slower server running Go.
 *   frame: 2 µs — pinelab's own cost per event on fc00 without crypto (README "Large networks":
 *   1.7 µs per event on fc00), rounded up; the reference's decode + actor hop is of the same order.
 * phone — 4 × server. An assumption built from two published ratios, not a measurement on a
 *   phone: lib25519's table gives OpenSSL 2.0× the cycles on a low-power core (Goldmont: sign
 *   226,717, verify 740,570 cycles) as on Zen 3, and phone efficiency cores run at about half a
 *   server core's clock (1.5–2 GHz against 3+ GHz). A flagship phone's big core is close to
 *   `server` (Go verify 50 µs on Apple M1, ed25519-dalek#200); `phone` is a mid-range handset or a
 *   Raspberry-Pi-class device, the other end of what Pinecone (Element P2P) runs on.
 */
export const PRESET_COSTS: Readonly<Record<Exclude<ProcessingPreset, 'off'>, ProcessingCosts>> =
  Object.freeze({
    server: Object.freeze({ frame: 2, verify: 120, sign: 40 }),
    phone: Object.freeze({ frame: 8, verify: 480, sign: 160 }),
  });

/** Validate a preset name from a flag or a scenario field; `source` names it in the error. */
export function parseProcessing(value: unknown, source: string): ProcessingPreset {
  if (typeof value === 'string' && (PROCESSING_PRESETS as readonly string[]).includes(value))
    return value as ProcessingPreset;
  throw new InputError(
    `${source}: expected one of ${PROCESSING_PRESETS.join(', ')}, got ${JSON.stringify(value)}`,
  );
}

/**
 * The costs of a preset (null = off: the host runs without the model). Without signatures (router
 * option `signatures: false`) verify and sign cost nothing.
 */
export function processingCosts(
  preset: ProcessingPreset,
  signatures = true,
): ProcessingCosts | null {
  if (preset === 'off') return null;
  const costs = PRESET_COSTS[preset];
  return signatures ? costs : { frame: costs.frame, verify: 0, sign: 0 };
}

/** Signatures a node checks when it handles `frame` (PROTOCOL.md §5.4 step 1, §6.5 step 3, §7.7). */
export function signaturesVerified(frame: Frame): number {
  switch (frame.type) {
    case FrameType.TreeAnnouncement:
      return frame.announcement.hops.length;
    case FrameType.Bootstrap:
    case FrameType.WakeupBroadcast:
      return 1;
    default:
      return 0;
  }
}

/** CPU time to handle a received frame (object, or bytes in --wire-encode runs). */
export function receiveCost(costs: ProcessingCosts, frame: Frame | Uint8Array): Micros {
  let decoded: Frame | null;
  if (frame instanceof Uint8Array) {
    // Bytes: the count comes from the decoded frame; a frame that does not decode is dropped by the
    // router before any signature is checked.
    const d = decodeFrame(frame);
    decoded = d === null || isCodecError(d) ? null : d;
  } else decoded = frame;
  return costs.frame + (decoded === null ? 0 : costs.verify * signaturesVerified(decoded));
}

/**
 * Whether `frame`, sent by the node with key `self`, was signed by it for this send (§5.3: every
 * announcement sent carries an entry signed for that link; §6.4: a bootstrap is signed by its
 * origin, whose key is the destination key; §7.7: a wakeup broadcast by its source). Forwarded
 * bootstraps and broadcasts carry someone else's signature.
 */
export function signedHere(frame: Frame, self: PublicKey): boolean {
  switch (frame.type) {
    case FrameType.TreeAnnouncement:
      return true;
    case FrameType.Bootstrap:
      return keysEqual(frame.destinationKey, self);
    case FrameType.WakeupBroadcast:
      return keysEqual(frame.sourceKey, self);
    default:
      return false;
  }
}

/**
 * One node's CPU: jobs (received frames, fired timers) served first come first served. Pure
 * bookkeeping of times; the host schedules the events and runs the jobs.
 *
 * - `submit(now, job, cost)`: a job arrives needing `cost` µs before it can be handled (decoding,
 *   verification). Returns the time its handling is due when the CPU was idle (the caller
 *   schedules it), or −1 when it waits behind others (it becomes due when they are done: `end`).
 * - `begin(now)`: the due job is handled now; returns it.
 * - `charge(now, cost)`: work done for an output (a signature). Inside a job it extends the job;
 *   outside (a router call the host makes directly: connect, link loss, application sends) it
 *   queues behind the CPU's reserved work. Returns when that output is ready to leave.
 * - `end(now)`: the running job is done; returns when the next one is due, or −1 (idle).
 */
export class Cpu<J> {
  private readonly jobs: J[] = [];
  private readonly jobCosts: Micros[] = [];
  private head = 0;
  private due: J | null = null;
  private running = false;
  /** Time the CPU's reserved work ends. */
  free: Micros = 0;
  /** Inside a running job: when the work done so far ends. */
  private clock: Micros = 0;
  /** Jobs waiting (not counting the due or running one). */
  get waiting(): number {
    return this.jobs.length - this.head;
  }
  /** True while a job is due or running. */
  get busy(): boolean {
    return this.due !== null || this.running;
  }

  submit(now: Micros, job: J, cost: Micros): Micros {
    if (this.busy) {
      this.jobs.push(job);
      this.jobCosts.push(cost);
      return -1;
    }
    return this.reserve(now, job, cost);
  }

  begin(now: Micros): J {
    const job = this.due;
    if (job === null) throw new Error('Cpu.begin: no job is due');
    this.due = null;
    this.running = true;
    // Outside-job work (charge) may have pushed `free` past the due time.
    this.clock = Math.max(now, this.free);
    return job;
  }

  charge(now: Micros, cost: Micros): Micros {
    if (this.running) {
      this.clock += cost;
      return this.clock;
    }
    if (cost === 0) return now;
    this.free = Math.max(now, this.free) + cost;
    return this.free;
  }

  end(now: Micros): Micros {
    this.running = false;
    this.free = Math.max(this.free, this.clock);
    if (this.head === this.jobs.length) return -1;
    const job = this.jobs[this.head] as J;
    const cost = this.jobCosts[this.head] as Micros;
    this.head++;
    if (this.head === this.jobs.length) {
      this.jobs.length = 0;
      this.jobCosts.length = 0;
      this.head = 0;
    }
    return this.reserve(now, job, cost);
  }

  private reserve(now: Micros, job: J, cost: Micros): Micros {
    this.due = job;
    this.free = Math.max(now, this.free) + cost;
    return this.free;
  }
}
