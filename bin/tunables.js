// bin/tunables.js — the glibc tunables a pinelab process runs with (bin/pinelab.js gives them to
// the child it re-runs a command in; scripts/bench.ts to its rows' children).
//
// glibc.malloc.hugetlb=1: glibc's malloc asks the kernel for transparent huge pages where it maps
// memory (madvise MADV_HUGEPAGE; glibc manual, "Memory Allocation Tunables", glibc ≥ 2.35). The
// typed arrays' contents live there: routing tables, signer indexes, the scheduler's heap. A big
// run reads them at random over hundreds of MB, and on 4 KB pages nearly every such read also
// missed the TLB. `ba:20000,m=2` to its snake quorum: 4.5% less CPU (docs/large-networks.md,
// "Huge pages for the tables"). Elsewhere (another libc, THP set to never) it does nothing. Results
// do not depend on it.

/** `current` (GLIBC_TUNABLES as given) with glibc.malloc.hugetlb=1, unless it sets that one. */
export function withHugePages(current) {
  const given = current ?? '';
  if (given.includes('glibc.malloc.hugetlb')) return given;
  return given === '' ? 'glibc.malloc.hugetlb=1' : `${given}:glibc.malloc.hugetlb=1`;
}
