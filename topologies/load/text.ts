/**
 * topologies/load/text.ts — read a topology file as text, refusing what is not text.
 *
 * Every loader goes through here so the common bad inputs get the same clear messages: a missing
 * or unreadable file, an empty file, binary garbage (a NUL byte or invalid UTF-8, reported with the
 * line it is on), a device (/dev/zero), and more than MAX_BYTES, counted while reading: a pipe or
 * a /proc file reports size 0, so the size the filesystem reports is no cap (/dev/zero would be
 * read for ever).
 */
import { statSync } from 'node:fs';
import { InputError, locate } from '../../base/index.ts';
import { checkKind, readCapped } from '../../sim/read-file.ts';

export { readCapped } from '../../sim/read-file.ts';

/** Files larger than this are refused rather than risking memory (the largest real one is 330 kB). */
const MAX_BYTES = 512 * 1024 * 1024;

/** Throws an InputError unless `file` is an existing, not too large, non-directory file. */
export function checkReadable(file: string): void {
  let size: number;
  try {
    const st = statSync(file);
    checkKind(file, st, 'a topology file');
    size = st.size;
  } catch (error) {
    if (error instanceof InputError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') {
      throw new InputError(
        locate(file, undefined, 'no such file (expected a topology file or a generator spec)'),
      );
    }
    throw new InputError(locate(file, undefined, `cannot read: ${(error as Error).message}`));
  }
  if (size > MAX_BYTES) {
    throw new InputError(locate(file, undefined, `file too large (${size} bytes)`));
  }
}

export function readBytes(file: string): Buffer {
  checkReadable(file);
  return readCapped(file, MAX_BYTES, 'a topology file');
}

/** 1-based line number of byte offset `at` in `bytes`. */
export function lineOfOffset(bytes: Uint8Array, at: number): number {
  let line = 1;
  for (let i = 0; i < at && i < bytes.length; i++) if (bytes[i] === 0x0a) line++;
  return line;
}

/**
 * Offset of the first byte that is not part of a well-formed UTF-8 sequence, or -1 when the whole
 * buffer is valid. Only called after the fast TextDecoder check failed, to name the line.
 */
export function firstInvalidUtf8(b: Uint8Array): number {
  const n = b.length;
  let i = 0;
  while (i < n) {
    const c = b[i]!;
    if (c < 0x80) {
      i++;
      continue;
    }
    let len: number;
    let min: number;
    if (c >= 0xc2 && c <= 0xdf) {
      len = 2;
      min = 0x80;
    } else if (c >= 0xe0 && c <= 0xef) {
      len = 3;
      min = 0x800;
    } else if (c >= 0xf0 && c <= 0xf4) {
      len = 4;
      min = 0x10000;
    } else return i;
    if (i + len > n) return i;
    let cp = c & (0xff >> (len + 1));
    for (let k = 1; k < len; k++) {
      const d = b[i + k]!;
      if ((d & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (d & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += len;
  }
  return -1;
}

const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** Decode bytes as UTF-8 text or throw an InputError naming the line of the first bad byte. */
export function decodeText(file: string, bytes: Uint8Array): string {
  const nul = bytes.indexOf(0);
  if (nul >= 0) {
    throw new InputError(
      locate(file, lineOfOffset(bytes, nul), 'binary data (NUL byte), expected a text file'),
    );
  }
  try {
    return decoder.decode(bytes);
  } catch {
    const at = firstInvalidUtf8(bytes);
    throw new InputError(
      locate(
        file,
        at < 0 ? undefined : lineOfOffset(bytes, at),
        'invalid UTF-8 (binary data?), expected a text file',
      ),
    );
  }
}

/** Read a file as UTF-8 text; refuses missing, binary and empty (whitespace-only) files. */
export function readText(file: string): string {
  const text = decodeText(file, readBytes(file));
  if (text.trim().length === 0) {
    throw new InputError(locate(file, undefined, 'empty file, expected at least one node'));
  }
  return text;
}
