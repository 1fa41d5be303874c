/**
 * scenarios/json-lines.ts — JSON.parse plus a position index: the 1-based line of every value by
 * its path ("actions.3.at"), so validation errors can name the line (house rule: file:line).
 * The scanner only skips tokens; JSON.parse stays the judge of what is valid JSON. Beyond JSON, it
 * refuses what JSON.parse accepts silently: a repeated key in one object (JSON.parse
 * keeps the last; YAML scenarios already refuse it) and nesting deeper than MAX_DEPTH.
 */
import { InputError, locate } from '../base/index.ts';

export interface LocatedJson {
  readonly value: unknown;
  /** Line of the value at `path` (or of its nearest located ancestor). */
  lineOf(path: readonly (string | number)[]): number | undefined;
}

/**
 * Deepest nesting accepted. A scenario's deepest value is 5 levels down (actions[i].links[k].peer,
 * a distribution inside an action); 8,000 levels overflowed the scanner's stack.
 */
export const MAX_DEPTH = 64;

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
  const val = (path: string, depth: number): void => {
    ws();
    lines.set(path, line);
    const c = text[i];
    const pre = path === '' ? '' : `${path}.`;
    if ((c === '{' || c === '[') && depth >= MAX_DEPTH) {
      throw new InputError(
        locate(file, line, `nested more than ${MAX_DEPTH} levels deep, expected a scenario`),
      );
    }
    if (c === '{') {
      i++;
      ws();
      if (text[i] === '}') {
        i++;
        return;
      }
      const seen = new Map<string, number>();
      for (;;) {
        ws();
        const keyLine = line;
        const key = str();
        const first = seen.get(key);
        if (first !== undefined) {
          throw new InputError(
            locate(
              file,
              keyLine,
              `duplicate key ${JSON.stringify(key)}${path === '' ? '' : ` in ${path}`} (first at line ${first}): give each key once`,
            ),
          );
        }
        seen.set(key, keyLine);
        ws();
        i++; // ':'
        val(pre + key, depth + 1);
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
        val(pre + k, depth + 1);
        ws();
        if (text[i++] === ']') return;
      }
    } else if (c === '"') {
      str();
    } else {
      while (i < text.length && !/[\s,\]}]/.test(text[i] as string)) i++;
    }
  };
  val('', 0);
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
