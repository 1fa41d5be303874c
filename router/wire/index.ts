/** router/wire/index.ts — the wire codec of PROTOCOL.md §3 (re-exports only). */
export * from './announcement.ts';
export * from './bootstrap.ts';
export * from './bytes.ts';
export * from './coordinates.ts';
export * from './errors.ts';
export * from './frame.ts';
export * from './handshake.ts';
export * from './varu64.ts';
