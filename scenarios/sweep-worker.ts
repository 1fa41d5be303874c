/**
 * scenarios/sweep-worker.ts — a sweep worker thread: receives WorkRequests, runs each with the
 * requested runner module (run/sweep-run.ts by default), replies ok or the error.
 */
import { parentPort } from 'node:worker_threads';
import { InputError } from '../base/index.ts';
import type { WorkReply, WorkRequest } from './sweep.ts';

const port = parentPort;
if (port === null) throw new Error('sweep-worker.ts must run in a worker thread');
port.on('message', async (req: WorkRequest) => {
  let reply: WorkReply;
  try {
    const mod = (await import(req.runner)) as { runOne: (r: WorkRequest) => void | Promise<void> };
    await mod.runOne(req);
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
