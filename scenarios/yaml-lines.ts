/**
 * scenarios/yaml-lines.ts — YAML scenario files, with the same line index as json-lines.ts so
 * validation errors name the line of the offending value (house rule: file:line).
 * YAML is parsed by the `yaml` package into plain JSON values; anchors and aliases resolve there.
 */
import { isNode, LineCounter, parseDocument } from 'yaml';
import { InputError, locate } from '../base/index.ts';
import type { LocatedJson } from './json-lines.ts';

/**
 * yaml's maxAliasCount: how far aliases may multiply the document. A scenario needs a handful; an
 * alias bomb (each anchor a list of ten aliases of the previous one) needs billions.
 */
const MAX_ALIAS_COUNT = 1000;

export function parseYamlWithLines(text: string, file: string): LocatedJson {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  const first = doc.errors[0];
  if (first !== undefined) {
    const line = first.linePos?.[0].line;
    if (first instanceof RangeError || /call stack/i.test(first.message)) {
      throw new InputError(
        locate(file, line, 'not valid YAML: nested too deeply, expected a scenario'),
      );
    }
    throw new InputError(
      locate(
        file,
        line,
        `not valid YAML (${first.message.split('\n')[0]?.replace(/ at line \d+, column \d+:?$/, '')})`,
      ),
    );
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (error) {
    // yaml's guard against alias bombs throws a ReferenceError ("Excessive alias count indicates
    // a resource exhaustion attack"): the limit is right, but a ReferenceError would be an
    // internal error, not an InputError naming the file.
    const msg = (error as Error).message;
    if (!/alias/i.test(msg)) throw error;
    throw new InputError(
      locate(
        file,
        undefined,
        `not valid YAML: its aliases (*name) expand to too many values (limit ${MAX_ALIAS_COUNT}); write the values out or use fewer aliases`,
      ),
    );
  }
  return {
    value,
    lineOf(path) {
      // The nearest ancestor that exists in the document carries the line.
      for (let n = path.length; n >= 0; n--) {
        const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
        if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
      }
      return undefined;
    },
  };
}

/** True for file names the loader should read as YAML. */
export function isYamlFile(file: string): boolean {
  return /\.ya?ml$/i.test(file);
}
