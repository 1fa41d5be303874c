/**
 * viz/src/views/replay.ts — the replay controls for events.jsonl (viz/src/model/replay.ts): play /
 * pause, speed (virtual seconds per wall second), step to the next or previous frame, a time
 * slider, and a caption with the frames in the air by type. Quiet stretches (nothing in the air)
 * are skipped while playing, so a run's seconds of keepalive silence do not stall a lecture.
 * The cursor's time goes to `onTime`; main.ts moves the other views there.
 * #replay gets data-t (cursor, virtual s) and data-frames (frames in the air) for tests.
 */
import { countByType, inFlight, noteAt, type Replay, stepTime } from '../model/replay.ts';

/** Virtual seconds per wall second. Links default to 1 ms (sim/link.ts): at 0.01 a hop takes 0.1 s. */
export const SPEEDS = [0.002, 0.01, 0.05, 0.25, 1] as const;
export const DEFAULT_SPEED = 0.01;
/** Slider resolution (positions over the run). */
const STEPS = 10_000;

export class ReplayView {
  private t: number;
  private speed = DEFAULT_SPEED;
  private playing = false;
  private raf = 0;
  private lastWall = 0;
  private readonly root: HTMLElement;
  private readonly slider: HTMLInputElement;
  private readonly playBtn: HTMLButtonElement;
  private readonly label: HTMLElement;

  private readonly r: Replay;
  private readonly onTime: (t: number) => void;

  constructor(doc: Document, r: Replay, onTime: (t: number) => void) {
    this.r = r;
    this.onTime = onTime;
    const get = <T extends HTMLElement>(id: string): T => {
      const el = doc.getElementById(id);
      if (!el) throw new Error(`index.html lacks #${id}`);
      return el as T;
    };
    this.root = get('replay');
    this.root.hidden = false;
    this.slider = get<HTMLInputElement>('replay-slider');
    this.playBtn = get<HTMLButtonElement>('replay-play');
    this.label = get('replay-label');
    const speedSel = get<HTMLSelectElement>('replay-speed');
    for (const s of SPEEDS) {
      const o = doc.createElement('option');
      o.value = String(s);
      o.textContent = `${s}×`;
      if (s === DEFAULT_SPEED) o.selected = true;
      speedSel.append(o);
    }
    speedSel.addEventListener('change', () => {
      this.speed = Number(speedSel.value);
    });
    this.slider.min = '0';
    this.slider.max = String(STEPS);
    this.slider.addEventListener('input', () => {
      this.pause();
      this.set(r.start + ((r.end - r.start) * Number(this.slider.value)) / STEPS);
    });
    this.playBtn.addEventListener('click', () => (this.playing ? this.pause() : this.play()));
    get('replay-next').addEventListener('click', () => this.step(1));
    get('replay-prev').addEventListener('click', () => this.step(-1));
    this.t = r.start;
    this.caption();
  }

  get time(): number {
    return this.t;
  }

  /** Move the cursor to virtual time t (clamped to the log) and tell the views. */
  set(t: number): void {
    this.t = Math.max(this.r.start, Math.min(this.r.end, t));
    const span = this.r.end - this.r.start;
    this.slider.value = String(span > 0 ? Math.round(((this.t - this.r.start) / span) * STEPS) : 0);
    this.caption();
    this.onTime(this.t);
  }

  /** One frame on: the next (or previous) frame half way along its link. */
  step(dir: 1 | -1): void {
    this.pause();
    const t = stepTime(this.r, this.t, dir);
    if (t !== null) this.set(t);
  }

  play(): void {
    if (this.playing) return;
    if (this.t >= this.r.end) this.t = this.r.start;
    this.playing = true;
    this.playBtn.textContent = 'Pause replay';
    this.playBtn.setAttribute('aria-pressed', 'true');
    this.lastWall = performance.now();
    const frame = (now: number): void => {
      if (!this.playing) return;
      const dt = Math.min(0.1, (now - this.lastWall) / 1000);
      this.lastWall = now;
      let t = this.t + dt * this.speed;
      // Nothing in the air and the next frame more than half a wall second away: jump to it.
      if (inFlight(this.r, t).length === 0) {
        const next = stepTime(this.r, t, 1);
        if (next !== null && (next - t) / this.speed > 0.5) t = next - this.speed * 0.2;
      }
      if (t >= this.r.end) {
        this.set(this.r.end);
        this.pause();
        return;
      }
      this.set(t);
      this.raf = requestAnimationFrame(frame);
    };
    this.raf = requestAnimationFrame(frame);
  }

  pause(): void {
    this.playing = false;
    cancelAnimationFrame(this.raf);
    this.playBtn.textContent = 'Play replay';
    this.playBtn.setAttribute('aria-pressed', 'false');
  }

  private caption(): void {
    const flying = inFlight(this.r, this.t);
    const counts = countByType(flying);
    const parts = Object.entries(counts)
      .sort((a, b) => b[1] - a[1])
      .map(([type, n]) => `${n} ${type}`);
    const note = noteAt(this.r, this.t);
    this.label.textContent = `t = ${this.t.toFixed(4)} s · ${flying.length} frame${flying.length === 1 ? '' : 's'} in the air${parts.length ? `: ${parts.join(', ')}` : ''}${note ? ` · last change: ${note}` : ''}`;
    this.root.dataset['t'] = String(this.t);
    this.root.dataset['frames'] = String(flying.length);
  }
}
