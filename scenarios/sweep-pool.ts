/**
 * scenarios/sweep-pool.ts — the sweep's worker threads: started all at once, each importing the
 * runner module as soon as it is up, kept alive for every run of the sweep, ended together.
 *
 * Why start them early: a worker's set-up (registering tsx in the thread, then importing the
 * runner's module graph, several hundred modules) costs about a second of one core, the same for
 * each worker. Started before the parent validates the grid, that set-up runs beside the
 * validation instead of after it, and the first run starts on modules already loaded.
 *
 * A small pool of our own rather than piscina or tinypool: a sweep needs a fixed number of
 * threads, one job each at a time, and its own tsx bootstrap in each thread (below), which those
 * pools would need too; the rest of what they offer (resizing, idle timeouts, task queues) is
 * unused here.
 */
import { Worker } from 'node:worker_threads';

/** Message from the main thread to a worker, and back. */
export interface WorkRequest {
  readonly file: string;
  readonly baseDir: string;
  readonly raw: Record<string, unknown>;
  readonly out: string;
  readonly command: string;
  /** Module exporting `runOne(req)` (tests substitute a fake); default run/sweep-run.ts. */
  readonly runner: string;
}
export type WorkReply =
  | { readonly ok: true }
  | { readonly ok: false; readonly error: string; readonly input: boolean };

/** What a worker thread is given at start (sweep-worker.ts reads it as workerData). */
export interface WorkerStart {
  /** The runner module to import before the first request arrives. */
  readonly runner: string;
}

interface Slot {
  readonly worker: Worker;
  /** The request in flight on this worker, if any. */
  pending: { resolve: (r: WorkReply) => void; reject: (e: Error) => void } | null;
  /** Set when the thread failed or exited: later requests fail at once instead of waiting. */
  dead: Error | null;
  /** Ended by retire() or close(). */
  retired: boolean;
}

export class SweepPool {
  private readonly slots: Slot[];

  /** Start `size` worker threads now; each imports `runner` right away. */
  constructor(size: number, runner: string) {
    if (!Number.isInteger(size) || size < 1)
      throw new Error(`SweepPool: size must be a whole number ≥ 1, got ${size}`);
    this.slots = Array.from({ length: size }, () => this.start(runner));
  }

  get size(): number {
    return this.slots.length;
  }

  /**
   * Run one request on worker `i` (one request at a time per worker). Resolves with the worker's
   * reply; rejects when the thread fails or exits before replying (an out-of-memory worker, say).
   */
  run(i: number, req: WorkRequest): Promise<WorkReply> {
    const slot = this.slots[i];
    if (slot === undefined) throw new Error(`SweepPool.run: no worker ${i} of ${this.size}`);
    if (slot.pending !== null) throw new Error(`SweepPool.run: worker ${i} is busy`);
    if (slot.retired) throw new Error(`SweepPool.run: worker ${i} was retired`);
    if (slot.dead !== null) return Promise.reject(slot.dead);
    return new Promise<WorkReply>((resolve, reject) => {
      slot.pending = { resolve, reject };
      slot.worker.postMessage(req);
    });
  }

  /** End worker `i` (no more work for it): its heap is freed while the others still run. */
  async retire(i: number): Promise<void> {
    const slot = this.slots[i];
    if (slot === undefined || slot.retired) return;
    slot.retired = true;
    await slot.worker.terminate();
  }

  /** End every thread (also the ones still starting). */
  async close(): Promise<void> {
    await Promise.all(this.slots.map((_, i) => this.retire(i)));
  }

  private start(runner: string): Slot {
    const slot: Slot = {
      worker: startWorker({ runner }),
      pending: null,
      dead: null,
      retired: false,
    };
    const fail = (error: Error): void => {
      slot.dead ??= error;
      const p = slot.pending;
      slot.pending = null;
      p?.reject(slot.dead);
    };
    slot.worker.on('message', (reply: WorkReply) => {
      const p = slot.pending;
      slot.pending = null;
      p?.resolve(reply);
    });
    // Listening from the start: an 'error' with no listener (a thread that fails while it starts,
    // before any request) would otherwise be thrown in the parent.
    slot.worker.on('error', fail);
    // An exit with a request in flight fails that request (an unexpected exit also the later ones).
    slot.worker.on('exit', (code) => {
      fail(
        new Error(
          slot.retired
            ? 'sweep worker thread was ended'
            : `sweep worker thread exited with code ${code}`,
        ),
      );
    });
    return slot;
  }
}

/**
 * A worker running sweep-worker.ts. Worker threads do not inherit tsx's loader (Node 20), so a
 * tiny eval bootstrap registers tsx (its ESM API) in the thread first, then imports the
 * TypeScript module.
 */
function startWorker(start: WorkerStart): Worker {
  const tsx = import.meta.resolve('tsx/esm/api');
  const entry = new URL('./sweep-worker.ts', import.meta.url).href;
  const boot = `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`;
  return new Worker(boot, { eval: true, workerData: start });
}
