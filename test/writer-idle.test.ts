/**
 * test/writer-idle.test.ts — the writer invariant the routers' senders rely on (router/forward.ts
 * pump): a link whose writer is not busy has nothing queued. Checked after every event of a run
 * whose slow links keep writers busy and queues full.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Router } from '../router/router.ts';
import { Simulation } from '../run/simulation.ts';

test('a writer that is not busy has empty queues, after every event of a run with slow links', () => {
  // 64 kbit/s: an announcement takes milliseconds to serialise, so frames queue behind it.
  const sim = new Simulation({
    topology: 'ba:30,m=2',
    seed: '1',
    until: 20_000_000,
    link: { bandwidth: 64_000 },
    stretch: false,
  });
  const host = sim.host;
  let queued = 0;
  let events = 0;
  while (!sim.advance(1)) {
    events++;
    for (let i = 0; i < host.nodeCount; i++) {
      const r = host.routerAt(i) as Router | null;
      if (r === null) continue;
      for (const link of r.peers.links) {
        const waiting = (link.protocolQueue?.length ?? 0) + (link.trafficQueue?.length ?? 0);
        if (waiting > 0) queued++;
        assert.ok(link.busy || waiting === 0, `node ${i} port ${link.port} at event ${events}`);
      }
    }
  }
  sim.finish();
  assert.ok(queued > 1000, `frames did queue (${queued} link-events with a queue)`);
});
