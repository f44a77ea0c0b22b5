import type { Command } from 'commander';
import { CliError } from '../errors.js';
import { abortOnSignals } from './agent.js';

interface SimCommandOptions {
  server: string;
  activationId?: string[];
  activationCode?: string[];
  nodes: string;
  stateDir: string;
  tags?: string[];
  platform?: string[];
  namePrefix: string;
  concurrency: string;
  stepDelay: string;
  failRate: string;
  logLevel: string;
}

const collect = (value: string, all: string[] = []) => [...all, value];

function positiveInteger(flag: string, value: string): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new CliError('ValidationException', `${flag} must be a positive integer, got "${value}"`);
  return n;
}

function numberIn(flag: string, value: string, min: number, max: number): number {
  const n = value.trim() === '' ? NaN : Number(value);
  if (!(n >= min && n <= max)) throw new CliError('ValidationException', `${flag} must be a number from ${min} to ${max}, got "${value}"`);
  return n;
}

/** `tend sim`: a fleet of simulated agents in one process, for scale tests and demo fleets. */
export function registerSimCommand(program: Command): void {
  program
    .command('sim')
    .description('run N simulated agents in this process, each with its own identity and its own WebSocket to the server')
    .requiredOption('--server <url>', 'Tend server URL, e.g. http://127.0.0.1:8700')
    .option('--activation-id <id>', 'activation for nodes not registered yet; repeat with --activation-code for more than 1,000 nodes', collect)
    .option('--activation-code <code>', 'code of the activation given at the same position', collect)
    .requiredOption('--nodes <n>', 'number of simulated nodes')
    .requiredOption('--state-dir <dir>', 'where node identities are kept (<dir>/nodes/<index>); a restart reuses them')
    .option('--tags <k=v...>', 'tags for every node; Key=a|b|c hands the values out in turn (repeatable)')
    .option('--platform <key...>', 'platforms to draw from (default: the whole mix): ubuntu-22.04, ubuntu-24.04, debian-12, rhel-9, amazon-linux-2023, sles-15')
    .option('--name-prefix <prefix>', 'node names are <prefix>-<index>', 'sim')
    .option('--concurrency <n>', 'registrations and first handshakes in flight at once', '50')
    .option('--step-delay <ms>', 'simulated run time of each Run Command step, plus N s for each `sleep N` line of a script', '10')
    .option('--fail-rate <fraction>', 'share of nodes (0-1) whose Run Command steps fail with exit code 1; the same nodes every time', '0')
    .option('--log-level <level>', 'per-node log level: debug, info, warn, error or silent; JSON lines on stderr', 'error')
    .addHelpText(
      'after',
      `
Each activation allows at most 1,000 registrations. With several
--activation-id/--activation-code pairs the nodes are split evenly among
them in order (10,000 nodes: 10 activations with RegistrationLimit 1000).
Tags are sent with each node's registration, so they apply to new nodes only;
the activation's own tags apply too. Progress lines go to stdout.

Simulated nodes answer Run Command without running anything: each line of
an aws:runShellScript step becomes "[tend sim] would run: <line>" in its
output, and the step succeeds after --step-delay (or fails for the
--fail-rate share of nodes, e.g. to try MaxErrors).

Exit status: 0 when stopped by SIGTERM/SIGINT; 77 when the server refused
every node; 1 on any other error.`,
    )
    .action(async (opts: SimCommandOptions) => {
      const agent = await import('@tend/agent');
      const ids = opts.activationId ?? [];
      const codes = opts.activationCode ?? [];
      if (ids.length !== codes.length) {
        throw new CliError('ValidationException', 'give one --activation-code for each --activation-id, in the same order');
      }
      const nodes = positiveInteger('--nodes', opts.nodes);
      const options = {
        serverUrl: opts.server,
        activations: ids.map((id, i) => ({ id, code: codes[i] })),
        nodes,
        stateDir: opts.stateDir,
        tags: agent.parseTagSpecs(opts.tags ?? []),
        platforms: opts.platform ?? [],
        namePrefix: opts.namePrefix,
        concurrency: positiveInteger('--concurrency', opts.concurrency),
        commands: { stepDelayMs: numberIn('--step-delay', opts.stepDelay, 0, 3_600_000), failRate: numberIn('--fail-rate', opts.failRate, 0, 1) },
        logger: agent.createLogger({ level: agent.parseLogLevel(opts.logLevel) }),
      };
      const signal = abortOnSignals((name) => process.stdout.write(`${name}: stopping ${nodes} simulated nodes\n`));
      let allOnlineReported = false;
      const summary = await agent.runSimulator({
        ...options,
        signal,
        onProgress: (p) => {
          const refused = p.refused ? `, refused ${p.refused}` : '';
          process.stdout.write(`registered ${p.registered}/${p.total}, online ${p.online}/${p.total}${refused}\n`);
          if (p.online === p.total && !allOnlineReported) {
            allOnlineReported = true;
            process.stdout.write(`all ${p.total} nodes online after ${(p.elapsedMs / 1000).toFixed(1)} s\n`);
          }
        },
      });
      if (!signal.aborted) {
        for (const message of summary.refusals) process.stderr.write(`tend: ${message}\n`);
        process.exit(agent.EXIT_REFUSED);
      }
      process.exit(0);
    });
}
