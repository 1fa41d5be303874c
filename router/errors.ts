/**
 * router/errors.ts — the one error kind for bad user input (files, specs, flags, scenarios).
 *
 * It lives in router/ because router/ is the innermost layer (it may import nothing else) and its
 * options are user input too; sim/errors.ts re-exports it for everyone else.
 * The CLI prints an InputError's message (which names the file, line and what was expected) and
 * exits with code 2, never with a stack trace (DEVELOPERS.md principle 4). Anything else that
 * escapes is a pinelab bug and is reported as such.
 */
export class InputError extends Error {
  override readonly name = 'InputError';
  readonly exitCode: number;
  constructor(message: string, exitCode = 2) {
    super(message);
    this.exitCode = exitCode;
  }
}

/** "file:line: message" — the shape every parse error uses. */
export function locate(file: string, line: number | undefined, message: string): string {
  return line === undefined ? `${file}: ${message}` : `${file}:${line}: ${message}`;
}
