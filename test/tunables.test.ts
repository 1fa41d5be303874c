/**
 * test/tunables.test.ts — bin/tunables.js: the glibc tunables a re-run command gets (the re-exec
 * itself is checked in test/lifecycle.test.ts).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withHugePages } from '../bin/tunables.js';

test('huge pages are asked for, after the tunables the user gave, unless the user set them', () => {
  assert.equal(withHugePages(undefined), 'glibc.malloc.hugetlb=1');
  assert.equal(withHugePages(''), 'glibc.malloc.hugetlb=1');
  assert.equal(
    withHugePages('glibc.malloc.arena_max=2'),
    'glibc.malloc.arena_max=2:glibc.malloc.hugetlb=1',
  );
  assert.equal(withHugePages('glibc.malloc.hugetlb=0'), 'glibc.malloc.hugetlb=0');
});
