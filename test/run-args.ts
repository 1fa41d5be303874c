/**
 * test/run-args.ts — the flags of a plain `pinelab run` as yargs hands them to configFromArgs
 * (cli/run.ts), for tests that turn flags into a RunConfig and change one or two of them.
 */
export const RUN_ARGS = {
  topology: 'ring:4',
  seed: '3',
  until: 'converged',
  timeout: '10m',
  'snake-quorum': '100%',
  json: false,
  crypto: 'node' as const,
  'wire-encode': false,
  latency: '1ms',
  jitter: '0',
  bandwidth: '0',
  loss: '0',
  'max-ports': 253,
  'start-spread': '1s',
  hybrid: 'on' as const,
  quirk: [] as string[],
};
