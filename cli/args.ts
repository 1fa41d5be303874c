/**
 * cli/args.ts — fixes to how yargs reads a command line, applied by cli/main.ts before and after
 * parsing, where yargs would misread silently: negative values for flags, and flags given twice.
 */

/**
 * `--latency -5ms`: yargs reads a value starting with '-' as more flags ("Unknown arguments: 5, m,
 * s"). A `--flag` followed by a negative number or duration is a value for that flag: joined as
 * `--flag=-5ms`, so the flag's own check says what it expected.
 */
export function joinNegativeValues(args: readonly string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const next = args[i + 1];
    if (a === '--') {
      out.push(...args.slice(i));
      break;
    }
    if (/^--[A-Za-z][\w-]*$/.test(a) && next !== undefined && /^-\.?\d/.test(next)) {
      out.push(`${a}=${next}`);
      i++;
    } else out.push(a);
  }
  return out;
}

/**
 * A flag that takes one value, given twice, is an error naming it: yargs would make an array of
 * it (`--topology a --topology b` reached the loader as an array, `--seed 1 --seed 2` became
 * "1,2"). Flags declared repeatable (`array: true`) and variadic positionals are left alone.
 */
export function repeatedFlag(
  argv: Readonly<Record<string, unknown>>,
  repeatable: readonly string[],
): string | null {
  const kebab = (key: string): string => key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
  const allowed = new Set(repeatable.map(kebab));
  for (const [key, value] of Object.entries(argv)) {
    if (key === '_' || key === '$0' || !Array.isArray(value) || value.length < 2) continue;
    if (allowed.has(kebab(key))) continue;
    return `--${kebab(key)} given ${value.length} times, expected one value (give it once)`;
  }
  return null;
}
