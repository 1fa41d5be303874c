/**
 * sim/trace.ts — the run's fingerprint: a running 64-bit hash over every delivered frame and every
 * fired router timer, in event order (PROTOCOL.md §10 item 44: bit-identical reruns give the same
 * trace hash).
 *
 * Two independent 32-bit lanes (murmur3-style mixing with different seeds and multipliers), fed one
 * 32-bit word at a time: no allocation, no crypto, a few multiplies per word. Each record is
 * (tag, time, node, port, type-or-timer, length); because every word is mixed into a chained state,
 * reordering any two records changes the digest.
 */
import type { Micros } from '../router/types.ts';

const TAG_FRAME = 0x46524d31; // "FRM1"
const TAG_TIMER = 0x544d5231; // "TMR1"
const TWO_32 = 4294967296;

export class TraceHash {
  private h1 = 0x9747b28c | 0;
  private h2 = 0x2f6b1d35 | 0;
  /** Records hashed so far. */
  records = 0;

  private word(value: number): void {
    // Lane 1: murmur3_32 block step.
    let k = Math.imul(value | 0, 0xcc9e2d51);
    k = (k << 15) | (k >>> 17);
    k = Math.imul(k, 0x1b873593);
    let h = this.h1 ^ k;
    h = (h << 13) | (h >>> 19);
    this.h1 = (Math.imul(h, 5) + 0xe6546b64) | 0;
    // Lane 2: a different multiply-rotate chain (FNV prime, xorshift), so both lanes must collide.
    let g = Math.imul(this.h2 ^ (value | 0), 0x01000193);
    g ^= g >>> 15;
    g = Math.imul(g, 0x2c1b3c6d);
    this.h2 = (g ^ (g >>> 12)) | 0;
  }

  private time(t: Micros): void {
    this.word(t % TWO_32);
    this.word(Math.floor(t / TWO_32));
  }

  /** A frame delivered to `node` on `port`. */
  frame(time: Micros, node: number, port: number, frameType: number, byteLength: number): void {
    this.records++;
    this.word(TAG_FRAME);
    this.time(time);
    this.word(node);
    this.word(port);
    this.word(frameType);
    this.word(byteLength);
  }

  /** Router timer `timer` of `node` fired. */
  timer(time: Micros, node: number, timer: number): void {
    this.records++;
    this.word(TAG_TIMER);
    this.time(time);
    this.word(node);
    this.word(timer);
  }

  /** 16 hex digits; finalised with murmur's fmix on a copy, so hashing may continue afterwards. */
  digest(): string {
    const a = fmix(this.h1 ^ this.records);
    const b = fmix(this.h2 ^ Math.imul(this.records, 0x85ebca6b));
    return hex8(a) + hex8(b);
  }
}

function fmix(x: number): number {
  let h = x | 0;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function hex8(x: number): string {
  return x.toString(16).padStart(8, '0');
}
