/**
 * scenarios/variant-load.ts — load a variant module (router/variant.ts) for a run.
 *
 * A variant is a TypeScript module exporting `defineVariant({...})` as its default export (or as
 * `variant`). It is loaded with a dynamic import (tsx is the runtime, in sweep workers too), the
 * path resolved from the current directory. The manifest records the path as given and the
 * sha256 of the file's bytes, so a result names exactly the code that produced it.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { basename, extname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { InputError } from '../base/index.ts';
import {
  defineVariant,
  type RouterVariant,
  routerVariant,
  type Variant,
} from '../router/variant.ts';

export interface LoadedVariant {
  /** As given (flag, scenario field or --param value), for the manifest and messages. */
  readonly path: string;
  /** Absolute path imported. */
  readonly file: string;
  /** sha256 of the file's bytes, hex. */
  readonly sha256: string;
  /** The variant's own name, else the file name without extension. */
  readonly name: string;
  readonly variant: Variant;
  /** Bound for the router: errors name `path`. */
  readonly router: RouterVariant;
}

const EXTENSIONS = new Set(['.ts', '.mts', '.js', '.mjs']);

/** Import and check the variant at `path` (relative to the cwd); `what` names the flag or field. */
export async function loadVariant(path: string, what = '--variant'): Promise<LoadedVariant> {
  const file = resolve(path);
  if (!existsSync(file) || !statSync(file).isFile())
    throw new InputError(
      `${what} ${path}: no such file (expected a .ts module made with defineVariant)`,
    );
  if (!EXTENSIONS.has(extname(file)))
    throw new InputError(`${what} ${path}: expected a .ts (or .js) module, got "${extname(file)}"`);
  const sha256 = createHash('sha256').update(readFileSync(file)).digest('hex');
  let mod: Record<string, unknown>;
  try {
    mod = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (error) {
    const why = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new InputError(`${what} ${path}: could not be loaded: ${why}`);
  }
  const exported = mod['default'] ?? mod['variant'];
  if (exported === undefined)
    throw new InputError(
      `${what} ${path}: no variant exported (expected export default defineVariant({...}))`,
    );
  const variant = defineVariant(exported as Variant, `${what} ${path}`);
  const name = variant.name ?? basename(file, extname(file));
  return { path, file, sha256, name, variant, router: routerVariant(variant, path) };
}

/** What the manifest records (options.variant). */
export function variantManifest(v: LoadedVariant): {
  path: string;
  sha256: string;
  name: string;
} {
  return { path: v.path, sha256: v.sha256, name: v.name };
}
