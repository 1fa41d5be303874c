/**
 * `current` (GLIBC_TUNABLES as given) with glibc.malloc.hugetlb=1, unless it sets that one
 * (bin/tunables.js).
 */
export function withHugePages(current: string | undefined): string;
