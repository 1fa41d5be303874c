/**
 * results/timeseries.ts — the run's time series (timeseries.csv), streamed: rows are formatted as
 * CSV lines when they are taken and, past a bounded buffer, appended to a spool file outside the
 * results folder (the OS temporary folder), so a long run's memory does not grow with its series
 * (kept in memory, the series of a 1 h run of 1,000 nodes took 40 MB). At the end, rows known
 * only then (episode convergence times, earlier stretch measurements) are merged in and the file
 * is written to its place atomically (temporary file + rename, results/write.ts).
 *
 * The written file is byte-identical to csv-stringify over the rows stably sorted by time_s (what
 * results/collector.ts wrote before): the sampled rows arrive in time order, so a merge that puts
 * each late row after the sampled rows of its instant gives the same order. Should a row ever
 * arrive out of order, the series is read back and sorted in memory instead, as before.
 */
import { closeSync, openSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { StringDecoder } from 'node:string_decoder';
import { stringify } from 'csv-stringify/sync';
import type { TimeseriesRow } from './schema.ts';
import { writeChunksAtomic } from './write.ts';

const COLUMNS = ['time_s', 'metric', 'value'];
const HEADER = 'time_s,metric,value\n';
/** Formatted text kept in memory before it goes to the spool file (a bound, not a model constant). */
const BUFFER_CHARS = 1 << 18;
/** Read size when the spool is read back. */
const READ_BYTES = 1 << 20;

/** Metric names that csv-stringify writes unquoted (no delimiter, quote, line break or space). */
const PLAIN = /^[A-Za-z0-9_.-]+$/;

/** One CSV line as csv-stringify writes it (numbers with String(); quoting when needed). */
export function csvLine(row: TimeseriesRow): string {
  if (PLAIN.test(row.metric)) return `${row.time_s},${row.metric},${row.value}\n`;
  return stringify([row], { header: false, columns: COLUMNS });
}

/**
 * A row as the spool holds it: its CSV line when the metric is plain (the common case: written
 * out as it is), else a marker line with the row in JSON (a quoted CSV field may hold a line break).
 */
function spoolLine(row: TimeseriesRow): string {
  if (PLAIN.test(row.metric)) return `${row.time_s},${row.metric},${row.value}\n`;
  return `\u0000${JSON.stringify([String(row.time_s), row.metric, String(row.value)])}\n`;
}

/** A spool line back as a row. */
function parseLine(line: string): TimeseriesRow {
  if (line.startsWith('\u0000')) {
    const [t, metric, v] = JSON.parse(line.slice(1)) as [string, string, string];
    return { time_s: Number(t), metric, value: Number(v) };
  }
  const first = line.indexOf(',');
  const last = line.lastIndexOf(',');
  return {
    time_s: Number(line.slice(0, first)),
    metric: line.slice(first + 1, last),
    value: Number(line.slice(last + 1)),
  };
}

/** Time of a spool line. */
function lineTime(line: string): number {
  if (line.startsWith('\u0000')) return parseLine(line).time_s;
  return Number(line.slice(0, line.indexOf(',')));
}

/** A spool line as the CSV file's line (without its line break). */
function fileLine(line: string): string {
  return line.startsWith('\u0000') ? csvLine(parseLine(line)).slice(0, -1) : line;
}

/** Spool files of this process not yet removed: removed at exit whatever happens to the run. */
const live = new Set<string>();
let registered = false;
let counter = 0;

function removeSpool(spool: { readonly path: string; readonly fd: number }): void {
  try {
    closeSync(spool.fd);
  } catch {
    // already closed
  }
  rmSync(spool.path, { force: true });
  live.delete(spool.path);
}

/** A series no longer referenced (a sweep worker's earlier run) gives its spool file back. */
const unreferenced = new FinalizationRegistry<{ readonly path: string; readonly fd: number }>(
  removeSpool,
);

function track(owner: Timeseries, path: string, fd: number): void {
  live.add(path);
  unreferenced.register(owner, { path, fd }, owner);
  if (registered) return;
  registered = true;
  process.on('exit', () => {
    for (const p of live) rmSync(p, { force: true });
  });
}

export class Timeseries {
  /** Formatted lines not yet in the spool file. */
  private buffer = '';
  private spool: string | null = null;
  private fd: number | null = null;
  private lastTime = Number.NEGATIVE_INFINITY;
  /** Every row came in time order (else reading back sorts). */
  private ordered = true;
  /** Rows known only at the end, stably sorted by time (set by close()). */
  private late: TimeseriesRow[] = [];
  private closed = false;
  /** Rows pushed so far (sampled rows only). */
  length = 0;
  private readonly bufferChars: number;
  private readonly readBytes: number;

  /** The sizes are bounds on memory, changed only by tests (to spool and read back in pieces). */
  constructor(sizes: { readonly bufferChars?: number; readonly readBytes?: number } = {}) {
    this.bufferChars = sizes.bufferChars ?? BUFFER_CHARS;
    this.readBytes = sizes.readBytes ?? READ_BYTES;
  }

  /**
   * One sampled row, now. After close() rows are ignored: the results were taken (before
   * streaming, rows after results() did not reach the returned copy either).
   */
  push(row: TimeseriesRow): void {
    if (this.closed) return;
    if (row.time_s < this.lastTime) this.ordered = false;
    else this.lastTime = row.time_s;
    this.buffer += spoolLine(row);
    this.length++;
    if (this.buffer.length >= this.bufferChars) this.flush();
  }

  /** Append the buffer to the spool file (created on first use). */
  private flush(): void {
    if (this.buffer === '') return;
    if (this.fd === null) {
      this.spool = join(tmpdir(), `pinelab-${process.pid}-${counter++}-timeseries.csv`);
      this.fd = openSync(this.spool, 'w');
      track(this, this.spool, this.fd);
    }
    writeSync(this.fd, this.buffer);
    this.buffer = '';
  }

  /** The end of the run: `late` rows join the series (after the sampled rows of their instant). */
  close(late: readonly TimeseriesRow[]): void {
    if (this.closed) return;
    this.closed = true;
    this.late = [...late].sort((a, b) => a.time_s - b.time_s);
  }

  /** The sampled spool lines in order: the spool file (read in chunks), then the buffer. */
  private *sampledLines(): Generator<string> {
    if (this.spool !== null && this.fd !== null) {
      const fd = openSync(this.spool, 'r');
      try {
        const chunk = Buffer.allocUnsafe(this.readBytes);
        // A chunk may end inside a character: the decoder keeps its first bytes for the next one.
        const decoder = new StringDecoder('utf8');
        let rest = '';
        for (let n = readSync(fd, chunk); n > 0; n = readSync(fd, chunk)) {
          const text = rest + decoder.write(chunk.subarray(0, n));
          const cut = text.lastIndexOf('\n');
          rest = text.slice(cut + 1);
          if (cut >= 0) for (const line of text.slice(0, cut).split('\n')) yield line;
        }
      } finally {
        closeSync(fd);
      }
    }
    if (this.buffer !== '') for (const line of this.buffer.slice(0, -1).split('\n')) yield line;
  }

  /** Every line of the file after the header, in the file's order. */
  private *lines(): Generator<string> {
    if (!this.ordered) {
      for (const row of this.rows()) yield csvLine(row).slice(0, -1);
      return;
    }
    let j = 0;
    for (const line of this.sampledLines()) {
      const t = lineTime(line);
      while (j < this.late.length && (this.late[j] as TimeseriesRow).time_s < t)
        yield csvLine(this.late[j++] as TimeseriesRow).slice(0, -1);
      yield fileLine(line);
    }
    while (j < this.late.length) yield csvLine(this.late[j++] as TimeseriesRow).slice(0, -1);
  }

  /**
   * The whole series in memory, as the file holds it (for tests and tools that need it all; a
   * long run's consumers should read the file instead).
   */
  rows(): TimeseriesRow[] {
    if (this.ordered) {
      const out: TimeseriesRow[] = [];
      let j = 0;
      for (const line of this.sampledLines()) {
        const row = parseLine(line);
        while (j < this.late.length && (this.late[j] as TimeseriesRow).time_s < row.time_s)
          out.push(this.late[j++] as TimeseriesRow);
        out.push(row);
      }
      while (j < this.late.length) out.push(this.late[j++] as TimeseriesRow);
      return out;
    }
    const all = [...this.sampledLines()].map(parseLine);
    all.push(...this.late);
    return all.sort((a, b) => a.time_s - b.time_s);
  }

  /** Write timeseries.csv to `path` atomically (temporary file beside it + rename). */
  writeCsv(path: string): void {
    writeChunksAtomic(path, this.csvChunks());
  }

  /** timeseries.csv's text: the header, then the lines in pieces of about bufferChars. */
  private *csvChunks(): Generator<string> {
    let text = HEADER;
    for (const line of this.lines()) {
      text += `${line}\n`;
      if (text.length >= this.bufferChars) {
        yield text;
        text = '';
      }
    }
    yield text;
  }

  /** Remove the spool file (the series cannot be read afterwards). */
  dispose(): void {
    if (this.spool !== null && this.fd !== null) {
      unreferenced.unregister(this);
      removeSpool({ path: this.spool, fd: this.fd });
    }
    this.fd = null;
    this.spool = null;
    this.buffer = '';
  }
}
