/**
 * sim/read-file.ts — read a user's input file without trusting it: a regular file or a
 * pipe (`--topology <(gen …)`), never a device or socket (/dev/zero was read for ever), and never
 * more than a cap, counted while reading, since a pipe or a /proc file reports size 0. Shared by
 * every file pinelab reads from a flag or a scenario: topologies, scenarios, keys files. Errors
 * are InputErrors naming the file.
 */
import { closeSync, fstatSync, openSync, readSync, type Stats } from 'node:fs';
import { InputError, locate } from '../base/index.ts';

/** A regular file, or a pipe (`--topology <(gen …)`): anything else is refused. */
export function checkKind(file: string, st: Stats, what: string): void {
  if (st.isDirectory()) {
    throw new InputError(locate(file, undefined, `is a directory, expected ${what}`));
  }
  if (!st.isFile() && !st.isFIFO()) {
    throw new InputError(
      locate(file, undefined, `is a device or socket, not a regular file: expected ${what}`),
    );
  }
}

/**
 * The bytes of a regular file or a pipe, refusing devices and stopping with an InputError as soon
 * as more than `maxBytes` have been read (the size a file reports is not trusted). A NUL byte in
 * the first chunk stops too: binary input would be refused anyway, after reading all of it.
 */
export function readCapped(file: string, maxBytes: number, what: string): Buffer {
  const fail = (error: unknown): never => {
    if (error instanceof InputError) throw error;
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new InputError(locate(file, undefined, `no such file (expected ${what})`));
    }
    throw new InputError(locate(file, undefined, `cannot read: ${(error as Error).message}`));
  };
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    return fail(error);
  }
  try {
    checkKind(file, fstatSync(fd), what);
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(1 << 20);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      total += n;
      if (total > maxBytes) {
        throw new InputError(
          locate(file, undefined, `more than ${maxBytes} bytes, too large for ${what}`),
        );
      }
      chunks.push(n === chunk.length ? chunk : chunk.subarray(0, n));
      if (chunks.length === 1 && chunk.subarray(0, n).includes(0)) break;
    }
    return Buffer.concat(chunks, total);
  } catch (error) {
    return fail(error);
  } finally {
    closeSync(fd);
  }
}
