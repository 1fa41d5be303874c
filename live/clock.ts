/**
 * live/clock.ts — the clock a live node runs on: monotonic microseconds since start, and timers.
 *
 * The router never reads a clock (it is given `now`); the live host asks this one. `WallClock` is
 * the real thing (performance.now, setTimeout); `ManualClock` is a virtual clock the transcript
 * tests advance by hand, so a 15 s recording replays in milliseconds with exact timing.
 */
import type { Micros } from '../router/types.ts';

export interface TimerHandle {
  cancel(): void;
}

export interface Clock {
  /** Microseconds since the clock started, monotonic, integer. */
  now(): Micros;
  /** Run `fn` at `at` (µs on this clock); at or before now runs on the next turn. */
  at(at: Micros, fn: () => void): TimerHandle;
}

/** performance.now() based (monotonic; Date.now can step backwards under NTP). */
export class WallClock implements Clock {
  private readonly origin = performance.now();

  now(): Micros {
    return Math.floor((performance.now() - this.origin) * 1000);
  }

  at(at: Micros, fn: () => void): TimerHandle {
    // setTimeout has 1 ms resolution; +1 ms never fires a router timer early (it would then
    // find nothing due and re-arm, which is harmless but wasteful).
    const delayMs = Math.max(0, Math.ceil((at - this.now()) / 1000));
    const t = setTimeout(fn, delayMs);
    return { cancel: () => clearTimeout(t) };
  }
}

interface Pending {
  readonly at: Micros;
  readonly seq: number;
  readonly fn: () => void;
  cancelled: boolean;
}

/** A virtual clock for tests: time moves only in advanceTo, timers fire in (at, order) order. */
export class ManualClock implements Clock {
  private t: Micros = 0;
  private seq = 0;
  private pending: Pending[] = [];

  now(): Micros {
    return this.t;
  }

  at(at: Micros, fn: () => void): TimerHandle {
    const p: Pending = { at: Math.max(at, this.t), seq: this.seq++, fn, cancelled: false };
    this.pending.push(p);
    return {
      cancel: () => {
        p.cancelled = true;
      },
    };
  }

  /** Fire every timer due at or before `to` (including ones they arm), then set the time to `to`. */
  advanceTo(to: Micros): void {
    for (;;) {
      this.pending = this.pending.filter((p) => !p.cancelled);
      let next: Pending | undefined;
      for (const p of this.pending) {
        if (p.at > to) continue;
        if (next === undefined || p.at < next.at || (p.at === next.at && p.seq < next.seq))
          next = p;
      }
      if (next === undefined) break;
      next.cancelled = true;
      this.t = next.at;
      next.fn();
    }
    this.t = Math.max(this.t, to);
  }
}
