/**
 * Variants as code (router/variant.ts): the worked examples change the trace, the same
 * variant and seed give the same hash, two simulations in one process share nothing, the manifest
 * names the file and its sha256, and a broken variant stops the run with an InputError naming the
 * file and the decision.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { InputError } from '../base/index.ts';
import { executeScenario } from '../run/execute.ts';
import { Checker, validateScenario } from '../scenarios/load.ts';
import type { Scenario } from '../scenarios/types.ts';
import { type LoadedVariant, loadVariant } from '../scenarios/variant-load.ts';

const HERE = import.meta.dirname;
const ROOT = join(HERE, '..');

/** The 26-node graph for 12 s: the snake forms, then the stretch probes run (SNEK and tree). */
function scenario(variant?: string): Scenario {
  const raw = JSON.parse(readFileSync(join(HERE, 'variants', 'small.json'), 'utf8'));
  raw.duration = '12s';
  if (variant !== undefined) raw.variant = variant;
  return validateScenario(raw, new Checker('small.json'), join(HERE, 'variants'));
}

function hashOf(v?: LoadedVariant): string {
  return executeScenario(scenario(v?.file), v === undefined ? {} : { variant: v }).summary
    .traceHash;
}

test('the worked examples change the trace; same variant and seed, same hash; nothing shared', async () => {
  const base = hashOf();
  const shortest = await loadVariant(join(ROOT, 'examples/variants/shortest-root-path.ts'));
  const noWatermark = await loadVariant(join(ROOT, 'examples/variants/snek-no-watermark.ts'));
  const a = hashOf(shortest);
  const b = hashOf(noWatermark);
  assert.notEqual(a, base, 'shortest-root-path changes parent choices');
  assert.notEqual(b, base, 'snek-no-watermark changes SNEK frames');
  assert.notEqual(a, b);
  assert.equal(hashOf(shortest), a, 'same variant, same seed: same hash');
  // After variant runs in this process the reference run is what it was (no shared state).
  assert.equal(hashOf(), base);
});

test('the manifest records the variant path and the sha256 of the file', async () => {
  const file = join(ROOT, 'examples/variants/snek-no-watermark.ts');
  const v = await loadVariant(file);
  const r = executeScenario(scenario(file), { variant: v });
  const want = createHash('sha256').update(readFileSync(file)).digest('hex');
  assert.deepEqual(r.data.manifest.options['variant'], {
    path: file,
    sha256: want,
    name: 'snek-no-watermark',
  });
});

test('a variant that throws or returns no port stops the run naming the file and decision', async () => {
  for (const [name, decision, what] of [
    ['throws.ts', 'treeNextHop', 'threw: planted failure'],
    ['not-a-port.ts', 'parent', 'returned 9999, expected NO_PORT or the port of an up link'],
  ] as const) {
    const file = join(HERE, 'variants', name);
    const v = await loadVariant(file);
    assert.throws(
      () => executeScenario(scenario(file), { variant: v }),
      (e: unknown) =>
        e instanceof InputError &&
        e.message.startsWith(`variant ${file}: ${decision} ${what}`) &&
        !e.message.includes('\n'),
    );
  }
});

test('loading: missing file, wrong extension, no export are InputErrors naming the flag', async () => {
  await assert.rejects(
    loadVariant('no/such/variant.ts'),
    /--variant no\/such\/variant.ts: no such file/,
  );
  await assert.rejects(loadVariant(join(HERE, 'variants', 'small.json')), /expected a \.ts/);
  await assert.rejects(
    loadVariant(join(ROOT, 'router/keys.ts')),
    /no variant exported \(expected export default defineVariant/,
  );
});
