import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EpisodeSummary, RunSummary } from '../results/schema.ts';
import { episodeLines, warningLines } from './episode-lines.ts';

const episode = (e: Partial<EpisodeSummary>): EpisodeSummary => ({
  start: 0,
  cause: 'start-up',
  kind: 'start-up',
  tree: 3,
  snake: 100,
  treeMin: 0,
  snakeMin: 0,
  snakeLosses: 76,
  ...e,
});

const summary = (episodes: EpisodeSummary[] | undefined) =>
  ({ ...(episodes === undefined ? {} : { episodes }) }) as unknown as RunSummary;

test('no episode lines for one episode or for older results', () => {
  assert.deepEqual(episodeLines(summary(undefined)), []);
  assert.deepEqual(episodeLines(summary([episode({})])), []);
});

test('episode lines: counts by kind, then how changes and refreshes went', () => {
  const lines = episodeLines(
    summary([
      episode({}),
      episode({
        start: 60,
        cause: 'remove-link a b',
        kind: 'scenario',
        tree: 1.1,
        snake: 13.2,
        treeMin: 0.75,
        snakeMin: 0.625,
        snakeLosses: 3,
      }),
      episode({
        start: 1800.05,
        cause: 'root refresh',
        kind: 'root-refresh',
        tree: 0,
        snake: 4.95,
        treeMin: 1,
        snakeMin: 0.698,
        snakeLosses: 572,
      }),
      episode({
        start: 3600.05,
        cause: 'root refresh',
        kind: 'root-refresh',
        tree: 0,
        snake: null,
        treeMin: 1,
        snakeMin: 0.7,
        snakeLosses: 500,
      }),
    ]),
  );
  assert.deepEqual(lines, [
    'episodes       4: start-up, 1 scenario action, 2 root refreshes',
    '  after changes   tree right again after 1.1 s, snake after 13.2 s (lowest 75% / 62.5% of nodes right; right pointers lost 3 times)',
    '  after refreshes tree right again after 0 s, snake after 4.95 s (lowest 100% / 69.8% of nodes right; right pointers lost 1072 times); 1 not again before the next episode or the end',
  ]);
});

test('warning lines name the summary warnings, for stderr', () => {
  assert.deepEqual(
    warningLines({
      warnings: ['links dropped by the routers (not by scenario actions): keepalive-timeout 4'],
    }),
    [
      'pinelab: warning: links dropped by the routers (not by scenario actions): keepalive-timeout 4',
    ],
  );
  assert.deepEqual(warningLines({}), []);
});
