/**
 * The regression gate (`pinelab compare` on two sets of runs), end to end on real sweeps: 4 seeds
 * of the 26-node graph for the reference, for a planted regression (test/variants/worse-tree.ts:
 * greedy tree routing skips the best candidate) and for a small real change
 * (test/variants/slow-bootstrap.ts: bootstraps every 6 s instead of 5 s). The gate fails on the
 * regression, passes the sweep against itself, and passes the small change, saying it crossed the
 * threshold without being significant.
 */
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, test } from 'node:test';
import { runCompare } from '../cli/compare.ts';
import { runSweep } from '../cli/sweep.ts';

const HERE = import.meta.dirname;
const SCENARIO = join(HERE, 'variants', 'small.json');
const out = mkdtempSync(join(tmpdir(), 'pinelab-gate-'));

async function sweep(name: string, variant?: string): Promise<string> {
  const dir = join(out, name);
  await runSweep(
    {
      scenario: SCENARIO,
      param: ['seed=1,2,3,4'],
      reps: 1,
      workers: 2,
      out: dir,
      ...(variant === undefined ? {} : { variant: join(HERE, 'variants', variant) }),
    },
    'test',
    () => {},
  );
  return dir;
}

let base = '';
let worse = '';
let slow = '';
before(async () => {
  base = await sweep('base');
  worse = await sweep('worse', 'worse-tree.ts');
  slow = await sweep('slow', 'slow-bootstrap.ts');
});

function gate(a: string, b: string, failIf: string[]): { code: number; text: string } {
  let text = '';
  const code = runCompare(
    { a, b, 'fail-if': failIf, changed: true, json: false, alpha: 0.05 },
    (s) => {
      text += s;
    },
  );
  return { code, text };
}

test('a planted regression fails the gate (exit 1), significant', () => {
  const { code, text } = gate(base, worse, ['stretch.hybrid.mean>+2%']);
  assert.equal(code, 1);
  assert.match(
    text,
    /FAIL stretch\.hybrid\.mean>\+2%: \+\d+\.\d+% .*significant \(p=0\.02857 < α=0\.05\)/,
  );
});

test('the same sweep against itself passes (exit 0)', () => {
  const { code, text } = gate(base, base, ['stretch.hybrid.mean>+2%', 'snakeConvergedAt>+0%']);
  assert.equal(code, 0);
  assert.match(text, /pass snakeConvergedAt>\+0%: 0% .* is within the threshold/);
});

test('a small real difference that is not significant passes and says so', () => {
  const { code, text } = gate(base, slow, ['snakeConvergedAt>+5%']);
  assert.equal(code, 0);
  assert.match(
    text,
    /pass snakeConvergedAt>\+5%: \+\d+(\.\d+)?% .*crosses the threshold but is not significant \(p=0\.\d+ ≥ α=0\.05\)/,
  );
  // The same change is real where it acts directly: fewer bootstrap frames, significantly.
  assert.equal(gate(base, slow, ['framesByType.bootstrap<-5%']).code, 1);
});

test('compare refuses an unknown metric; one run against four cannot be significant and says so', () => {
  assert.throws(() => gate(base, worse, ['stretch.hybird.mean>+2%']), /is not in the runs/);
  const one = gate(base, join(worse, 'seed-1_rep-0'), ['stretch.hybrid.mean>+2%']);
  assert.equal(one.code, 0);
  assert.match(one.text, /note: with 4 and 1 runs the smallest possible p is 0\.400 ≥ α=0\.05/);
  assert.match(one.text, /pass stretch\.hybrid\.mean>\+2%: .* not significant/);
});
