/** viz/src/views/colours.ts — one palette for every view. */
import { interpolateTurbo, interpolateViridis } from 'd3';

export const COLOURS = {
  link: '#c8c8c8',
  tree: '#1b9e77',
  snake: '#d6339c',
  path: '#ff7f0e',
  shortest: '#1f77b4',
  node: '#8a8a8a',
  absent: '#e4e4e4',
  selected: '#d62728',
  root: '#111111',
  /** A descending pointer that is not the greatest smaller key reachable (§6.1). */
  wrong: '#e31a1c',
  /** A present node with no link (after a partition or before its peers are up). */
  isolated: '#d0d0d0',
  modes: {
    snek: '#d6339c',
    hybrid: '#ff7f0e',
    given: '#7570b3',
    tree: '#1b9e77',
  } as Record<string, string>,
  overhead: [
    '#1f77b4',
    '#ff7f0e',
    '#2ca02c',
    '#d62728',
    '#9467bd',
    '#8c564b',
    '#e377c2',
    '#7f7f7f',
  ],
};

/** Colour for key order: rank 0 (smallest key) → blue … largest → red. */
export const keyColour = (rank: number, n: number): string =>
  interpolateTurbo(0.05 + (0.9 * rank) / Math.max(1, n - 1));

/** Colour for tree depth (coordinate length); the root (depth 0) is darkest. */
export const depthColour = (depth: number, maxDepth: number): string =>
  depth < 0 ? COLOURS.node : interpolateViridis(0.1 + (0.8 * depth) / Math.max(1, maxDepth));

/**
 * Replay dots by frame type (events.jsonl `frame`, sim/host.ts FRAME_TYPE_NAMES): tree
 * announcements green like the tree, bootstraps pink like the snake, traffic orange like paths.
 */
export const FRAME_COLOURS: Record<string, string> = {
  announcement: '#1b9e77',
  bootstrap: '#d6339c',
  traffic: '#ff7f0e',
  keepalive: '#9e9e9e',
  other: '#6a3d9a',
};

export const frameColour = (type: string): string => FRAME_COLOURS[type] ?? FRAME_COLOURS['other']!;
