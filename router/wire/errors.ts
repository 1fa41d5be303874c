/**
 * router/wire/errors.ts — the one failure value of the wire codec.
 *
 * Decoders read bytes from peers, so garbage is an expected input, not an exception: every decoder
 * RETURNS a CodecError (never throws) and the router turns it into a link drop with `reason`
 * (PROTOCOL.md §3.2, §4.4). Encoders return one for frames that must not go on the wire (§3.6:
 * more than 65535 bytes), which makes the sending node stop that link ('encode-error').
 */
import type { LinkDropReason } from '../types.ts';

export class CodecError {
  readonly reason: LinkDropReason;
  readonly message: string;
  constructor(reason: LinkDropReason, message: string) {
    this.reason = reason;
    this.message = message;
  }
  toString(): string {
    return `${this.reason}: ${this.message}`;
  }
}

export function isCodecError(value: unknown): value is CodecError {
  return value instanceof CodecError;
}
