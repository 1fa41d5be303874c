import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { type DeadlineLink, keepaliveDue, PortDeadlines, portDue } from './port-deadlines.ts';

interface TestLink extends DeadlineLink {
  port: number;
  up: boolean;
  lastSent: number;
  lastReceived: number;
  keepaliveFloor: number;
}

const INTERVAL = 2_000;
const TIMEOUT = 5_000;

/** The plain check: every up link with a due ≤ now, in port order, and the earliest due. */
function plain(links: readonly TestLink[], now: number) {
  const up = links.filter((l) => l.up).sort((a, b) => a.port - b.port);
  const due = up.filter((l) => portDue(l, INTERVAL, TIMEOUT) <= now).map((l) => l.port);
  const next = Math.min(...up.map((l) => portDue(l, INTERVAL, TIMEOUT)));
  return { due, next };
}

const op = fc.oneof(
  fc.record({ kind: fc.constant('connect' as const), port: fc.integer({ min: 1, max: 12 }) }),
  fc.record({ kind: fc.constant('close' as const), pick: fc.nat() }),
  // A send or receive on a link: its dues move later (never earlier).
  fc.record({
    kind: fc.constant('traffic' as const),
    pick: fc.nat(),
    sent: fc.boolean(),
    received: fc.boolean(),
  }),
  fc.record({ kind: fc.constant('check' as const), busy: fc.boolean() }),
  fc.record({ kind: fc.constant('wait' as const), by: fc.integer({ min: 0, max: 3_000 }) }),
);

test('PortDeadlines finds the links a scan of every link finds, in port order, and the earliest due (property)', () => {
  fc.assert(
    fc.property(fc.array(op, { minLength: 10, maxLength: 80, size: 'max' }), (ops) => {
      const q = new PortDeadlines<TestLink>();
      const all: TestLink[] = [];
      let now = 0;
      const live = (): TestLink[] => all.filter((l) => l.up);
      for (const o of ops) {
        if (o.kind === 'wait') now += o.by;
        else if (o.kind === 'connect') {
          if (live().some((l) => l.port === o.port)) continue; // the port is in use
          const link: TestLink = {
            port: o.port,
            up: true,
            lastSent: now,
            lastReceived: now,
            keepaliveFloor: 0,
          };
          all.push(link);
          q.add(link, portDue(link, INTERVAL, TIMEOUT));
        } else if (o.kind === 'close') {
          const ls = live();
          if (ls.length > 0) (ls[o.pick % ls.length] as TestLink).up = false;
        } else if (o.kind === 'traffic') {
          const ls = live();
          if (ls.length === 0) continue;
          const l = ls[o.pick % ls.length] as TestLink;
          if (o.sent) l.lastSent = now;
          if (o.received) l.lastReceived = now;
        } else {
          // One check as Router.checkPorts makes it: look at the due links, then file them again.
          const want = plain(all, now);
          const n = q.takeDue(now, INTERVAL, TIMEOUT);
          const taken = q.taken.slice(0, n) as TestLink[];
          assert.deepEqual(
            taken.map((l) => l.port),
            want.due,
          );
          // The caller clears the slots it read, or (busy checks, here) leaves them: what `taken`
          // holds past n must never be read by the next check.
          if (!o.busy) for (let i = 0; i < n; i++) q.taken[i] = undefined;
          for (const l of taken) {
            if (now - l.lastReceived >= TIMEOUT)
              l.up = false; // read deadline: closed
            else if (keepaliveDue(l, INTERVAL) <= now) {
              if (o.busy) l.keepaliveFloor = now + INTERVAL;
              else l.lastSent = now; // keepalive sent
            }
            if (l.up) q.add(l, portDue(l, INTERVAL, TIMEOUT));
          }
          assert.equal(q.next(INTERVAL, TIMEOUT), plain(all, now).next);
          // Each up link is filed once (gone ones only until met).
          assert.ok(q.size <= all.length);
        }
      }
    }),
    { seed: 2026, numRuns: 3000 },
  );
});
