/**
 * scenarios/sweep-worker.ts — a sweep worker thread: imports the runner module it was started
 * with (workerData, scenarios/sweep-pool.ts) at once, then receives WorkRequests, runs each with
 * the requested runner (run/sweep-run.ts by default) and replies ok or the error.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { InputError } from '../base/index.ts';
import type { WorkerStart, WorkReply, WorkRequest } from './sweep-pool.ts';

type Runner = { runOne: (r: WorkRequest) => void | Promise<void> };

const port = parentPort;
if (port === null) throw new Error('sweep-worker.ts must run in a worker thread');

const runners = new Map<string, Promise<Runner>>();
function runner(url: string): Promise<Runner> {
  let p = runners.get(url);
  if (p === undefined) {
    p = import(url) as Promise<Runner>;
    // A runner that fails to load is reported with the first request that uses it, not as an
    // unhandled rejection of the preload.
    p.catch(() => {});
    runners.set(url, p);
  }
  return p;
}
// Load the simulator's modules now, while the parent is still validating the grid: the first
// request then finds them compiled.
runner((workerData as WorkerStart).runner);

port.on('message', async (req: WorkRequest) => {
  let reply: WorkReply;
  try {
    await (await runner(req.runner)).runOne(req);
    reply = { ok: true };
  } catch (error) {
    reply = {
      ok: false,
      error: error instanceof Error ? error.message : String(error),
      input: error instanceof InputError,
    };
  }
  port.postMessage(reply);
});
