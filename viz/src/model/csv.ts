/**
 * viz/src/model/csv.ts — typed parsing of the run's CSV files (results/schema.ts) with d3-dsv.
 * Empty cells stay '' where the schema allows it (e.g. hops of an undelivered pair).
 */
import { csvParse } from 'd3';
import type { NodeRow, PairRow, RoutingMode, TimeseriesRow } from '../../../results/schema.ts';
import { MODES } from './modes.ts';

/** A parse problem: names the file, the 1-based line and what was expected. */
export class CsvError extends Error {
  override readonly name = 'CsvError';
}

function requireColumns(file: string, columns: readonly string[], want: readonly string[]): void {
  const missing = want.filter((c) => !columns.includes(c));
  if (missing.length > 0) {
    throw new CsvError(`${file}:1: missing column(s) ${missing.join(', ')}`);
  }
}

function num(file: string, line: number, column: string, v: string | undefined): number {
  const x = Number(v);
  if (v === undefined || v === '' || !Number.isFinite(x)) {
    throw new CsvError(`${file}:${line}: expected a number in column ${column}, got "${v ?? ''}"`);
  }
  return x;
}

function numOrEmpty(
  file: string,
  line: number,
  column: string,
  v: string | undefined,
): number | '' {
  return v === undefined || v === '' ? '' : num(file, line, column, v);
}

const NODE_COLUMNS = [
  'node',
  'key',
  'root',
  'parent',
  'depth',
  'descending',
  'table_size',
] as const;

export function parseNodes(text: string, file = 'nodes.csv'): NodeRow[] {
  const rows = csvParse(text);
  requireColumns(file, rows.columns, NODE_COLUMNS);
  return rows.map((r, i) => {
    const line = i + 2;
    return {
      node: r['node'] ?? '',
      key: (r['key'] ?? '').toLowerCase(),
      root: (r['root'] ?? '').toLowerCase(),
      root_seq: Number(r['root_seq'] ?? 0),
      parent: r['parent'] ?? '',
      coords: r['coords'] ?? '[]',
      depth: num(file, line, 'depth', r['depth']),
      bfs_depth: Number(r['bfs_depth'] ?? 0),
      descending: r['descending'] ?? '',
      table_size: num(file, line, 'table_size', r['table_size']),
      coords_cache_size: Number(r['coords_cache_size'] ?? 0),
      tree_converged_at: numOrEmpty(file, line, 'tree_converged_at', r['tree_converged_at']),
      snake_converged_at: numOrEmpty(file, line, 'snake_converged_at', r['snake_converged_at']),
      // Absent in results written before the column existed.
      snake_losses: numOrEmpty(file, line, 'snake_losses', r['snake_losses']),
      table_installs: numOrEmpty(file, line, 'table_installs', r['table_installs']),
    };
  });
}

export function parseTimeseries(text: string, file = 'timeseries.csv'): TimeseriesRow[] {
  const rows = csvParse(text);
  requireColumns(file, rows.columns, ['time_s', 'metric', 'value']);
  return rows.map((r, i) => ({
    time_s: num(file, i + 2, 'time_s', r['time_s']),
    metric: r['metric'] ?? '',
    value: num(file, i + 2, 'value', r['value']),
  }));
}

const OUTCOMES: readonly string[] = ['delivered', 'misdelivered', 'dropped', 'lost'];

export function parsePairs(text: string, file = 'pairs.csv'): PairRow[] {
  const rows = csvParse(text);
  requireColumns(file, rows.columns, [
    'mode',
    'source',
    'destination',
    'hops',
    'stretch',
    'outcome',
  ]);
  return rows.map((r, i) => {
    const line = i + 2;
    const mode = r['mode'] ?? '';
    const outcome = r['outcome'] ?? '';
    if (!(MODES as readonly string[]).includes(mode)) {
      throw new CsvError(`${file}:${line}: expected mode ${MODES.join(', ')}, got "${mode}"`);
    }
    if (!OUTCOMES.includes(outcome)) {
      throw new CsvError(
        `${file}:${line}: expected an outcome (${OUTCOMES.join(', ')}), got "${outcome}"`,
      );
    }
    return {
      mode: mode as RoutingMode,
      source: r['source'] ?? '',
      destination: r['destination'] ?? '',
      shortest_hops: Number(r['shortest_hops'] ?? 0),
      hops: numOrEmpty(file, line, 'hops', r['hops']),
      stretch: numOrEmpty(file, line, 'stretch', r['stretch']),
      outcome: outcome as PairRow['outcome'],
      reached: r['reached'] ?? '',
    };
  });
}

/** "[1 2 3]" → [1, 2, 3]; "[]" → []. */
export function parseCoords(s: string): number[] {
  const inner = s.trim().replace(/^\[/, '').replace(/\]$/, '').trim();
  return inner === '' ? [] : inner.split(/[\s,]+/).map(Number);
}
