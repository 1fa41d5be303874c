#!/usr/bin/env node
// Entry point for the `pinelab` bin: registers tsx so the TypeScript sources run as they are.
//
// Heap: Node's default old-space limit is about 4 GB whatever the machine has, and a 100,000-node
// run needs more (the target allows 16 GB). When the limit is below what this machine can give (3/4
// of its memory, at most 16 GB) and the user set none, the command re-runs itself once in a child
// Node with --max-old-space-size. The child inherits stdio and gets the parent's SIGINT, SIGTERM
// and SIGHUP; the parent waits and exits as the child did. The child dies with its parent, so no
// orphan run is left behind: it holds an IPC channel to the parent, and when that closes (the
// parent was killed, even with SIGKILL, which cannot be forwarded) it sends itself SIGTERM, which
// stops a run as Ctrl-C does (what is complete is written) and ends any other command.
//
// The child also gets 64 MB semi-spaces for the young generation (Node's default is 16 MB),
// unless the user set a size: a third as many scavenges, and `ba:20000,m=2` runs 5–8% faster for
// about 100 MB more peak memory (docs/large-networks.md, "Node's young generation"). Results do
// not depend on it.
//
// And glibc's malloc is asked for transparent huge pages (bin/tunables.js): the routing tables'
// random reads missed the TLB on 4 KB pages.
import { spawn } from 'node:child_process';
import { totalmem } from 'node:os';
import { getHeapStatistics } from 'node:v8';
import { withHugePages } from './tunables.js';

const MB = 1024 * 1024;
const wantMb = Math.min(16 * 1024, Math.floor((totalmem() * 0.75) / MB));
const given = [...process.execArgv, process.env.NODE_OPTIONS ?? ''];
const userSet = given.some((a) => a.includes('max-old-space-size'));
const semiSpace = given.some((a) => a.includes('semi-space-size'))
  ? []
  : ['--max-semi-space-size=64'];
const limitMb = getHeapStatistics().heap_size_limit / MB;

if (!userSet && process.env.PINELAB_REEXEC !== '1' && limitMb < wantMb - 256) {
  const child = spawn(
    process.execPath,
    [`--max-old-space-size=${wantMb}`, ...semiSpace, ...process.execArgv, ...process.argv.slice(1)],
    {
      stdio: ['inherit', 'inherit', 'inherit', 'ipc'],
      env: {
        ...process.env,
        PINELAB_REEXEC: '1',
        GLIBC_TUNABLES: withHugePages(process.env.GLIBC_TUNABLES),
      },
    },
  );
  // Signals go on to the child, which finishes its results and exits (a terminal's Ctrl-C reaches
  // it directly as well; a second SIGINT in the same moment is harmless there).
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const s of signals) process.on(s, () => child.kill(s));
  child.on('exit', (code, signal) => {
    if (signal !== null) {
      for (const s of signals) process.removeAllListeners(s);
      process.kill(process.pid, signal);
    } else process.exit(code ?? 1);
  });
} else {
  // The re-executed child: its parent's end closes the IPC channel. Unreferenced, the channel
  // does not keep this process alive once its command is done.
  if (process.env.PINELAB_REEXEC === '1' && process.channel) {
    process.channel.unref();
    process.on('disconnect', () => process.kill(process.pid, 'SIGTERM'));
  }
  const { register } = await import('tsx/esm/api');
  register();
  await import('../cli/main.ts');
}
