/**
 * live/deframer.ts — cuts a byte stream (TCP, or WebSocket messages concatenated) into its §3.1
 * handshake (HandshakeReader) and then frames (Deframer).
 *
 * PROTOCOL.md §3.2 receive procedure [router/peer.go: _read]: read exactly 10 bytes; a wrong magic
 * drops the link at once; a length field below 10 drops the link (the d0beb18 process panics
 * there, §9.1 item 1: we drop the link only); then read length − 10 more bytes and hand the whole
 * frame to the router, which decodes it (router.receiveBytes). Frames cannot exceed 65535 bytes
 * (16-bit length), so at most one partial frame, < 64 KiB, is ever buffered.
 */
import { FRAME_HEADER_LENGTH } from '../router/wire/frame.ts';
import { HANDSHAKE_LENGTH } from '../router/wire/handshake.ts';

export type DeframeError = 'bad-magic' | 'bad-length';

export class Deframer {
  private buf: Uint8Array = new Uint8Array(0);

  /** Bytes held for an incomplete frame. */
  get buffered(): number {
    return this.buf.length;
  }

  /**
   * Append `chunk`; call `onFrame` with each complete frame (a copy). Returns an error at the first
   * bad header (the caller drops the link and must not push again), else null.
   */
  push(chunk: Uint8Array, onFrame: (frame: Uint8Array) => void): DeframeError | null {
    let data: Uint8Array;
    if (this.buf.length === 0) data = chunk;
    else {
      data = new Uint8Array(this.buf.length + chunk.length);
      data.set(this.buf, 0);
      data.set(chunk, this.buf.length);
    }
    let p = 0;
    while (data.length - p >= FRAME_HEADER_LENGTH) {
      if (
        data[p] !== 0x70 ||
        data[p + 1] !== 0x69 ||
        data[p + 2] !== 0x6e ||
        data[p + 3] !== 0x65
      ) {
        this.buf = new Uint8Array(0);
        return 'bad-magic';
      }
      const len = ((data[p + 8] as number) << 8) | (data[p + 9] as number);
      if (len < FRAME_HEADER_LENGTH) {
        this.buf = new Uint8Array(0);
        return 'bad-length';
      }
      if (data.length - p < len) break;
      onFrame(data.slice(p, p + len));
      p += len;
    }
    this.buf = p === data.length ? new Uint8Array(0) : data.slice(p);
    return null;
  }
}

/** §3.1: collects the first HANDSHAKE_LENGTH bytes of a stream, which come before any frame. */
export class HandshakeReader {
  private buf: Uint8Array = new Uint8Array(0);

  /**
   * Append `chunk`; null until the handshake is complete, then (once) the handshake's bytes and
   * what of `chunk` follows it (the start of the frames).
   */
  push(chunk: Uint8Array): { readonly handshake: Uint8Array; readonly rest: Uint8Array } | null {
    const need = HANDSHAKE_LENGTH - this.buf.length;
    const merged = new Uint8Array(this.buf.length + Math.min(need, chunk.length));
    merged.set(this.buf, 0);
    merged.set(chunk.subarray(0, need), this.buf.length);
    this.buf = merged;
    if (merged.length < HANDSHAKE_LENGTH) return null;
    return { handshake: merged, rest: chunk.subarray(need) };
  }
}
