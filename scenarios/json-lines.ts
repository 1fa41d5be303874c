/**
 * scenarios/json-lines.ts — JSON.parse plus a position index: the 1-based line of every value by
 * its path ("actions.3.at"), so validation errors can name the line (house rule: file:line).
 * The scanner only skips tokens; JSON.parse stays the judge of what is valid JSON.
 */
import { InputError, locate } from '../sim/errors.ts';

export interface LocatedJson {
  readonly value: unknown;
  /** Line of the value at `path` (or of its nearest located ancestor). */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

export function parseJsonWithLines(text: string, file: string): LocatedJson {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    const msg = (error as Error).message;
    const pos = /position (\d+)/.exec(msg);
    const line = pos ? lineAt(text, Number(pos[1])) : undefined;
    throw new InputError(locate(file, line, `not valid JSON (${msg})`));
  }
  const lines = new Map<string, number>();
  let i = 0;
  let line = 1;
  const ws = (): void => {
    while (i < text.length) {
      const c = text.charCodeAt(i);
      if (c === 10) line++;
      else if (c !== 32 && c !== 9 && c !== 13) return;
      i++;
    }
  };
  const str = (): string => {
    const start = ++i;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    const raw = text.slice(start, i++);
    return raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
  };
  const val = (path: string): void => {
    ws();
    lines.set(path, line);
    const c = text[i];
    const pre = path === '' ? '' : `${path}.`;
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      for (;;) {
        ws();
        const key = str();
        ws();
        i++; // ':'
        val(pre + key);
        ws();
        if (text[i++] === '}') return;
      }
    } else if (c === '[') {
      i++;
      ws();
      if (text[i] === ']') {
        i++;
        return;
      }
      for (let k = 0; ; k++) {
        val(pre + k);
        ws();
        if (text[i++] === ']') return;
      }
    } else if (c === '"') {
      str();
    } else {
      while (i < text.length && !/[\s,\]}]/.test(text[i] as string)) i++;
    }
  };
  val('');
  return {
    value,
    lineOf(path) {
      for (let n = path.length; n >= 0; n--) {
        const l = lines.get(path.slice(0, n).join('.'));
        if (l !== undefined) return l;
      }
      return undefined;
    },
  };
}

function lineAt(text: string, pos: number): number {
  let line = 1;
  for (let k = 0; k < pos && k < text.length; k++) if (text.charCodeAt(k) === 10) line++;
  return line;
}
