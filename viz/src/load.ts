/**
 * viz/src/load.ts — the one place the page gets run data: from the inlined
 * <script id="pinelab-data" type="application/json"> (report mode, gzipped) or from the viewer server
 * (./files.json says which files exist, then ./data/<file> and ./compare/<file>).
 */
import type { SweepPair } from './model/compare.ts';
import {
  type FileListing,
  type InlineData,
  type PackedData,
  RUN_FILES,
  type RunFiles,
} from './model/files.ts';

export interface Sources {
  readonly run: RunFiles;
  readonly runName: string;
  readonly compare: RunFiles | null;
  readonly compareName: string | null;
  /** A sweep pair (report of two sweep folders); null for runs. */
  readonly sweeps: SweepPair | null;
}

/** The report's packed data: base64 → gzip → JSON text (DecompressionStream, no library). */
async function unpack(packed: PackedData): Promise<string> {
  const bin = atob(packed.data);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  const stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  return new Response(stream).text();
}

async function fetchText(url: string): Promise<string> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  return res.text();
}

async function fetchRun(base: string, present: readonly string[]): Promise<RunFiles> {
  const files: RunFiles = {};
  await Promise.all(
    RUN_FILES.map(async (f) => {
      files[f] = present.includes(f) ? await fetchText(`${base}/${f}`) : null;
    }),
  );
  return files;
}

export async function loadSources(doc: Document): Promise<Sources> {
  const inline = doc.getElementById('pinelab-data');
  if (inline?.textContent) {
    const packed = JSON.parse(inline.textContent) as PackedData;
    const data = JSON.parse(await unpack(packed)) as InlineData;
    return {
      run: data.run,
      runName: data.runName,
      compare: data.compare,
      compareName: data.compareName,
      sweeps: data.sweeps ?? null,
    };
  }
  const listing = JSON.parse(await fetchText('./files.json')) as FileListing;
  const [run, compare] = await Promise.all([
    fetchRun('./data', listing.run),
    listing.compare ? fetchRun('./compare', listing.compare) : Promise.resolve(null),
  ]);
  return { run, runName: listing.runName, compare, compareName: listing.compareName, sweeps: null };
}
