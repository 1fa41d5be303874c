/**
 * cli/stop.ts — how a run hears that it should stop. Ctrl-C (SIGINT), SIGTERM (a job
 * scheduler, `kill`, the parent process exiting: bin/pinelab.js) and SIGHUP (the terminal closed)
 * all mean the same: stop at the next chunk boundary, write what is complete, mark the run
 * interrupted, exit 130. Node's default for SIGTERM and SIGHUP is to die at once, which lost the
 * whole run and could leave a `.tmp-*` file behind.
 *
 * A simulation chunk, the final measurement and the file writes are synchronous: a signal that
 * arrives during one is delivered when it returns. `settle()` yields to the event loop so that
 * such a signal is seen before the caller decides what to write.
 */

export const STOP_SIGNALS: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];

/** Exit code of a run stopped by a signal (128 + SIGINT, as a shell reports Ctrl-C). */
export const INTERRUPTED_EXIT = 130;

export class StopRequest {
  /** The first stop signal received, or null. */
  signal: NodeJS.Signals | null = null;
  private readonly listener = (signal: NodeJS.Signals): void => {
    if (this.signal === null) this.signal = signal;
    else this.onAgain?.(signal);
  };
  /** Called for every further signal (e.g. to say the results are being written). */
  onAgain: ((signal: NodeJS.Signals) => void) | null = null;

  constructor() {
    for (const s of STOP_SIGNALS) process.on(s, this.listener);
  }

  get requested(): boolean {
    return this.signal !== null;
  }

  /** Let signals that arrived during synchronous work be delivered; then say whether to stop. */
  async settle(): Promise<boolean> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    return this.requested;
  }

  /** Remove the listeners (the process's defaults apply again). */
  dispose(): void {
    for (const s of STOP_SIGNALS) process.off(s, this.listener);
  }
}

/**
 * Wait until SIGINT or SIGTERM (or `ms` milliseconds, when given): how the long-running commands
 * (view, node, emulate) wait for Ctrl-C before they close what they serve. The listeners are
 * removed on the first of these, so the process's defaults apply again while it shuts down.
 */
export function untilInterrupted(ms?: number): Promise<void> {
  return new Promise<void>((done) => {
    const stop = (): void => {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
      done();
    };
    process.on('SIGINT', stop);
    process.on('SIGTERM', stop);
    if (ms !== undefined) setTimeout(stop, ms);
  });
}
