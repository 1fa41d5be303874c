/**
 * cli/topo.ts — `pinelab topo`: look at and convert topologies.
 *
 *   pinelab topo stats <file|generator> [--format F] [--seed S] [--json] [--exact] [--sources N]
 *   pinelab topo export <file|generator> -o out.(txt|edges|csv|graphml|gexf|json) [--to F]
 */
import { writeFileSync } from 'node:fs';
import type { Argv, CommandModule } from 'yargs';
import { InputError } from '../base/index.ts';
import { exportFormatOf, exportTopology } from '../topologies/export.ts';
import { FORMATS, GENERATOR_USAGE, resolveTopology } from '../topologies/index.ts';
import {
  DEFAULT_EXACT_LIMIT,
  DEFAULT_SAMPLE_SOURCES,
  formatStats,
  topologyStats,
} from '../topologies/stats.ts';

const SPEC_HELP = `A topology is a file or a generator spec.

Files (format from the extension, or --format):
  .txt                          pinecone: pineconesim path format, a line "a b c" links a-b and b-c
  .edges .edgelist .csv .tsv    edgelist: "a b [latency] [bandwidth] [loss]" per line, # comments;
                                latency: bare number = microseconds, or 250us / 5ms / 0.2s;
                                bandwidth: bare number = bit/s, or 10k/10M/1Gbps; loss: 0.01 or 1%;
                                "-" or an empty field = the run's default
  .graphml .gexf .json          GraphML, GEXF, graphology JSON; edge data latency/bandwidth/loss and
                                node data x/y are read
Generators (NAME:SIZE[,key=value...]; nodes are n0, n1, ...; add ,seed=S to override --seed):
  ${GENERATOR_USAGE.join('  ')}
  grid = 4-neighbour, grid8 = 8-neighbour (WIDTHxHEIGHT); tree = uniform random tree;
  er = Erdos-Renyi G(n,p); regular = random k-regular; ba = Barabasi-Albert; geo = random geometric
  in the unit square (link when distance <= r, positions kept)`;

interface CommonArgs {
  topology: string;
  format?: string;
  seed: string;
}

function common<T>(y: Argv<T>): Argv<T & CommonArgs> {
  return y
    .positional('topology', {
      describe: 'topology file or generator spec (see pinelab topo --help)',
      type: 'string',
      demandOption: true,
    })
    .option('format', {
      describe: 'input file format (default: from the extension)',
      choices: FORMATS as unknown as string[],
      type: 'string',
    })
    .option('seed', {
      describe: 'seed for random generators (and the stats source sample)',
      type: 'string',
      default: '1',
    }) as unknown as Argv<T & CommonArgs>;
}

interface StatsArgs extends CommonArgs {
  json: boolean;
  exact: boolean;
  sources: number;
}

const statsCommand: CommandModule<object, StatsArgs> = {
  command: 'stats <topology>',
  describe: 'nodes, links, components, degrees, diameter and mean distance',
  builder: (y) =>
    common(y)
      .option('json', { describe: 'print JSON', type: 'boolean', default: false })
      .option('exact', {
        describe: `all-pairs distances even above ${DEFAULT_EXACT_LIMIT} nodes`,
        type: 'boolean',
        default: false,
      })
      .option('sources', {
        describe: `BFS sources sampled above ${DEFAULT_EXACT_LIMIT} nodes`,
        type: 'number',
        default: DEFAULT_SAMPLE_SOURCES,
      })
      .example('$0 topo stats ../shared/topologies/fc00.txt', 'a real topology')
      .example('$0 topo stats geo:500,r=0.08 --seed 7 --json', 'a generated one, as JSON')
      .example('$0 topo stats ../shared/topologies/sim-skitter.txt --exact', 'exact all pairs')
      .epilogue(SPEC_HELP) as unknown as Argv<StatsArgs>,
  handler: async (argv) => {
    if (!Number.isInteger(argv.sources) || argv.sources < 1) {
      throw new InputError(`--sources ${argv.sources}: expected an integer ≥ 1`);
    }
    const t0 = process.hrtime.bigint();
    const topo = resolveTopology(argv.topology, {
      seed: argv.seed,
      ...(argv.format !== undefined ? { format: argv.format } : {}),
    });
    const stats = topologyStats(topo.graph, {
      seed: argv.seed,
      sampleSources: argv.sources,
      ...(argv.exact ? { exactLimit: Number.POSITIVE_INFINITY } : {}),
    });
    const wallSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    if (argv.json) {
      const out = { source: topo.source, digest: topo.digest, ...stats, wallSeconds };
      process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    } else {
      process.stdout.write(formatStats(stats, topo.source, topo.digest));
      process.stdout.write(`wall time    ${wallSeconds.toFixed(2)} s\n`);
    }
  },
};

interface ExportArgs extends CommonArgs {
  out: string;
  to?: string;
}

const exportCommand: CommandModule<object, ExportArgs> = {
  command: 'export <topology>',
  describe: 'write a topology (file or generator) to a file in another format',
  builder: (y) =>
    common(y)
      .option('out', {
        alias: 'o',
        describe: 'output file; its extension picks the format unless --to is given',
        type: 'string',
        demandOption: true,
      })
      .option('to', {
        describe: 'output format',
        choices: FORMATS as unknown as string[],
        type: 'string',
      })
      .example('$0 topo export geo:50,r=0.25 -o demo.txt', 'save a generated mesh')
      .example('$0 topo export ../shared/topologies/fc00.txt -o fc00.graphml', 'convert')
      .epilogue(SPEC_HELP) as unknown as Argv<ExportArgs>,
  handler: async (argv) => {
    const format = exportFormatOf(argv.out, argv.to);
    const topo = resolveTopology(argv.topology, {
      seed: argv.seed,
      ...(argv.format !== undefined ? { format: argv.format } : {}),
    });
    const { text, dropped } = exportTopology(topo.graph, format);
    try {
      writeFileSync(argv.out, text);
    } catch (error) {
      throw new InputError(`${argv.out}: cannot write: ${(error as Error).message}`);
    }
    process.stderr.write(
      `wrote ${argv.out} (${format}, ${topo.graph.order} nodes, ${topo.graph.size} links, from ${topo.source})\n`,
    );
    if (dropped.length > 0) {
      process.stderr.write(
        `note: the ${format} format cannot carry ${dropped.join(', ')}; those were left out\n`,
      );
    }
  },
};

export const topoCommand: CommandModule = {
  command: 'topo <command>',
  describe: 'topology tools: stats, export (files and generators)',
  builder: (y) =>
    y
      .command(statsCommand as unknown as CommandModule)
      .command(exportCommand as unknown as CommandModule)
      .demandCommand(1, 'Name a topo command: stats or export.')
      .strict()
      .example('$0 topo stats ring:50', 'statistics of a generated ring')
      .example('$0 topo stats ../shared/topologies/fc00.txt --json', 'of a real topology, as JSON')
      .example('$0 topo export ba:1000,m=2 --seed 3 -o ba.graphml', 'save a generated graph')
      .epilogue(SPEC_HELP),
  handler: () => {},
};
