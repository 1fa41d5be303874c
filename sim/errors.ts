/**
 * sim/errors.ts — re-exports the input error kind (defined in router/errors.ts, the innermost
 * layer, so the router's option validation can use it without importing sim/).
 */
export { InputError, locate } from '../router/errors.ts';
