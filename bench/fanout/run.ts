/**
 * Run Command fan-out: SendCommand of a no-op script (AWS-RunShellScript,
 * `true`) to N simulated nodes, timed until the command is Success, beside
 * the floor of a bare WebSocket round trip to as many clients. See README.md.
 *
 *   npm run bench:fanout -- [--sizes 100,1000,5000] [--runs 3] [--default-at 1000] [--step-delay 10] [--cpu-prof <dir>]
 */
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatTable, type TendClient } from '@tend/cli';
import { resolveRateLimit } from '../../apps/server/src/domains/commands/command-progress.ts';
import { sampleProcess } from '../support/proc-stats.ts';
import { CAN_PIN, TEND_BIN, countNodes, createActivations, fail, log, positiveInt, startNode, startTendServer, stdoutLines, stopChild, tempDir } from '../support/processes.ts';

const HERE = fileURLToPath(new URL('.', import.meta.url));
const TARGET_NODES = 1000;
const TARGET_MS = 3000;
/** Systems Manager's default MaxConcurrency, what SendCommand does without the parameter. */
const DEFAULT_MAX_CONCURRENCY = '50';
const SERVER_CPU = 0;
const FLEET_CPU = 1;
/** How often ListCommands is asked; the figures are this coarse. */
const POLL_MS = 25;
const ONLINE_DEADLINE_MS = 10 * 60_000;
const COMMAND_DEADLINE_MS = 5 * 60_000;
const TERMINAL = new Set(['Success', 'Failed', 'Cancelled', 'TimedOut']);
const TAG = { Key: 'Bench', Value: 'fanout' };

const { values: args } = parseArgs({
  options: {
    sizes: { type: 'string', default: '100,1000,5000' },
    runs: { type: 'string', default: '3' },
    'default-at': { type: 'string', default: String(TARGET_NODES) },
    'step-delay': { type: 'string', default: '10' },
    rounds: { type: 'string', default: '5' },
    'cpu-prof': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(
    'usage: npm run bench:fanout -- [--sizes <n>[,<n>…]=100,1000,5000] [--runs <n>=3] [--default-at <n>[,<n>…]=1000]\n' +
      '                             [--step-delay <ms>=10] [--rounds <n>=5] [--cpu-prof <dir>]\n',
  );
  process.exit(0);
}
const sizes = list('sizes', args.sizes);
const defaultAt = new Set(args['default-at'] === '' ? [] : list('default-at', args['default-at']));
const runs = positiveInt('runs', args.runs);
const rounds = positiveInt('rounds', args.rounds);
const stepDelayMs = Number(args['step-delay']);
if (!Number.isInteger(stepDelayMs) || stepDelayMs < 0) fail('--step-delay must be a whole number of ms');
// V8 writes a .cpuprofile of each Tend server when it exits (open it in Chrome DevTools).
const profileArgs = args['cpu-prof'] ? ['--cpu-prof', `--cpu-prof-dir=${path.resolve(args['cpu-prof'])}`] : [];

interface CommandRun {
  ms: number;
  /** How long the SendCommand call itself took. */
  sendMs: number;
  /** CPU time the server and the simulator used meanwhile: near `ms` means busy, far below means waiting. */
  serverCpuMs: number;
  simCpuMs: number;
  status: string;
  completed: number;
  target: number;
  errors: number;
}

interface Row {
  nodes: number;
  maxConcurrency: string;
  floorMs: number;
  runs: CommandRun[];
  load: number;
}

log(`node ${process.version}, ${os.availableParallelism()} CPUs; ${CAN_PIN ? `servers on CPU ${SERVER_CPU}, clients and simulator on CPU ${FLEET_CPU}` : 'no CPU pinning (taskset missing or one CPU)'}`);
log(`load average ${loadAverage()}; sizes ${sizes.join(', ')}; ${runs} command(s) per figure; simulated step ${stepDelayMs} ms`);

const rows: Row[] = [];
for (const nodes of sizes) {
  log(`--- ${nodes.toLocaleString('en-US')} nodes ---`);
  const floorMs = await measureFloor(nodes);
  const concurrencies = ['100%', ...(defaultAt.has(nodes) ? [DEFAULT_MAX_CONCURRENCY] : [])];
  const measured = await measureTend(nodes, concurrencies);
  for (const maxConcurrency of concurrencies) {
    rows.push({ nodes, maxConcurrency, floorMs, runs: measured.get(maxConcurrency)!, load: os.loadavg()[0]! });
  }
}

process.stdout.write(
  `\nRun Command fan-out: AWS-RunShellScript \`true\` to N simulated nodes (step ${stepDelayMs} ms), SQLite, until Success\n\n` +
    formatTable(
      [
        { header: 'nodes', align: 'right' },
        { header: 'MaxConcurrency', align: 'right' },
        { header: 'floor ms', align: 'right' },
        { header: 'Tend ms', align: 'right' },
        { header: 'ratio', align: 'right' },
        { header: 'waves', align: 'right' },
        { header: 'ms/wave', align: 'right' },
        { header: 'each run ms', align: 'right' },
        { header: 'SendCommand ms', align: 'right' },
        { header: 'server cpu ms', align: 'right' },
        { header: 'sim cpu ms', align: 'right' },
        { header: 'completed', align: 'right' },
        { header: 'status', align: 'left' },
        { header: 'load', align: 'right' },
      ],
      rows.map((row) => {
        const tendMs = median(row.runs.map((r) => r.ms));
        const last = row.runs.at(-1)!;
        const statuses = [...new Set(row.runs.map((r) => r.status))].join(', ');
        const waves = rampWaves(row.nodes, row.maxConcurrency);
        return [
          row.nodes.toLocaleString('en-US'),
          row.maxConcurrency === DEFAULT_MAX_CONCURRENCY ? `${row.maxConcurrency} (default)` : row.maxConcurrency,
          row.floorMs.toFixed(1),
          tendMs.toFixed(0),
          `${(tendMs / row.floorMs).toFixed(0)}×`,
          String(waves),
          (tendMs / waves).toFixed(0),
          row.runs.map((r) => r.ms.toFixed(0)).join(' '),
          median(row.runs.map((r) => r.sendMs)).toFixed(0),
          median(row.runs.map((r) => r.serverCpuMs)).toFixed(0),
          median(row.runs.map((r) => r.simCpuMs)).toFixed(0),
          `${last.completed}/${last.target}`,
          statuses + (last.errors ? ` (${last.errors} errors)` : ''),
          row.load.toFixed(2),
        ];
      }),
    ) +
    '\n' +
    `floor: median of ${rounds} broadcasts of one small frame from a bare \`ws\` server to N plain clients, until every reply is back.\n` +
    `Tend: median of ${runs} commands, from calling SendCommand to ListCommands reporting a final status (polled every ${POLL_MS} ms).\n` +
    'waves: round trips the rate control needs at least: it ramps 1, 2, 4 … up to MaxConcurrency, each wave once the previous one finished.\n' +
    'cpu: CPU time the process used during the command (medians; 10 ms resolution); completed: CompletedCount/TargetCount of the last command;\n' +
    'load: 1-minute load average after the size was measured.\n' +
    targetLine() +
    '\n',
);

function targetLine(): string {
  const row = rows.find((r) => r.nodes === TARGET_NODES && r.maxConcurrency === '100%');
  if (!row) return `target: ${TARGET_NODES.toLocaleString('en-US')} nodes in under ${TARGET_MS / 1000} s (not measured: add ${TARGET_NODES} to --sizes)\n`;
  const ms = median(row.runs.map((r) => r.ms));
  const met = ms < TARGET_MS && row.runs.every((r) => r.status === 'Success');
  return `${TARGET_NODES.toLocaleString('en-US')} nodes, MaxConcurrency 100%: ${(ms / 1000).toFixed(2)} s   target < ${TARGET_MS / 1000} s   ${met ? 'met' : 'MISSED'}\n`;
}

/** A bare `ws` server and N clients, each in its own process; the median round. */
async function measureFloor(nodes: number): Promise<number> {
  const server = startNode('floor server', ['--import', 'tsx', path.join(HERE, 'floor-server.ts'), '--clients', String(nodes), '--rounds', String(rounds)], {
    cpu: SERVER_CPU,
    essential: true,
    stdout: 'pipe',
  });
  const out = stdoutLines(server);
  const { port } = JSON.parse(await out.waitFor(/"port"/, 30_000, 'port from the floor server')) as { port: number };
  const clients = startNode('floor clients', ['--import', 'tsx', path.join(HERE, 'floor-clients.ts'), '--port', String(port), '--clients', String(nodes)], {
    cpu: FLEET_CPU,
    essential: true,
  });
  const { roundsMs } = JSON.parse(await out.waitFor(/"roundsMs"/, 5 * 60_000, 'result from the floor server')) as { roundsMs: number[] };
  await stopChild(clients);
  await stopChild(server);
  log(`floor: ${roundsMs.map((ms) => ms.toFixed(1)).join(', ')} ms`);
  return median(roundsMs);
}

/** A fresh server and N simulated nodes, all Online; then `runs` commands for each MaxConcurrency. */
async function measureTend(nodes: number, concurrencies: string[]): Promise<Map<string, CommandRun[]>> {
  const server = await startTendServer({ cpu: SERVER_CPU, nodeArgs: profileArgs });
  const activations = await createActivations(server.client, nodes);
  const simArgs = [TEND_BIN, 'sim', '--server', server.url, '--nodes', String(nodes), '--state-dir', tempDir('tend-bench-fanout-'), '--step-delay', String(stepDelayMs)];
  simArgs.push('--tags', `${TAG.Key}=${TAG.Value}`, '--log-level', 'error');
  for (const a of activations) simArgs.push('--activation-id', a.id, '--activation-code', a.code);
  const started = performance.now();
  const sim = startNode('tend sim', simArgs, { cpu: FLEET_CPU, essential: true, stdout: 'pipe' });
  await stdoutLines(sim).waitFor(new RegExp(`all ${nodes} nodes online`), ONLINE_DEADLINE_MS, `"all ${nodes} nodes online" from tend sim`);
  // The simulator counts welcomes; the API is the judge of Online.
  while ((await countNodes(server.client, 'Online')) < nodes) {
    if (performance.now() - started > ONLINE_DEADLINE_MS) fail(`not all ${nodes} nodes Online through the API`);
    await sleep(250);
  }
  log(`${nodes} nodes Online after ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const results = new Map<string, CommandRun[]>();
  for (const maxConcurrency of concurrencies) {
    const measured: CommandRun[] = [];
    for (let i = 0; i < runs; i++) {
      const run = await timeCommand(server.client, maxConcurrency === DEFAULT_MAX_CONCURRENCY ? undefined : maxConcurrency, [server.child.pid!, sim.pid!]);
      log(
        `MaxConcurrency ${maxConcurrency}: ${run.status} after ${run.ms.toFixed(0)} ms (SendCommand ${run.sendMs.toFixed(0)} ms; cpu: server ${run.serverCpuMs.toFixed(0)} ms, ` +
          `sim ${run.simCpuMs.toFixed(0)} ms), ${run.completed}/${run.target} completed, load ${loadAverage()}`,
      );
      if (run.target !== nodes) fail(`the command targeted ${run.target} nodes, not ${nodes}`);
      measured.push(run);
    }
    results.set(maxConcurrency, measured);
  }
  await stopChild(sim, 30_000);
  await stopChild(server.child, 30_000);
  return results;
}

/** Sends the no-op command to the fleet's tag; without `maxConcurrency` the server's default applies. */
async function timeCommand(client: TendClient, maxConcurrency: string | undefined, [serverPid, simPid]: [number, number]): Promise<CommandRun> {
  const cpuBefore = [sampleProcess(serverPid).cpuSeconds, sampleProcess(simPid).cpuSeconds];
  const started = performance.now();
  const sent = await client.ssm<{ Command: { CommandId: string } }>('SendCommand', {
    DocumentName: 'AWS-RunShellScript',
    Targets: [{ Key: `tag:${TAG.Key}`, Values: [TAG.Value] }],
    Parameters: { commands: ['true'] },
    Comment: 'bench/fanout',
    ...(maxConcurrency && { MaxConcurrency: maxConcurrency }),
  });
  const sendMs = performance.now() - started;
  for (;;) {
    const { Commands } = await client.ssm<{ Commands: Array<{ Status: string; CompletedCount: number; TargetCount: number; ErrorCount: number }> }>('ListCommands', {
      CommandId: sent.Command.CommandId,
    });
    const command = Commands[0];
    if (!command) fail(`ListCommands does not know command ${sent.Command.CommandId}`);
    const ms = performance.now() - started;
    if (TERMINAL.has(command.Status)) {
      const [serverCpuMs, simCpuMs] = [serverPid, simPid].map((pid, i) => (sampleProcess(pid).cpuSeconds - cpuBefore[i]!) * 1000);
      return { ms, sendMs, serverCpuMs: serverCpuMs!, simCpuMs: simCpuMs!, status: command.Status, completed: command.CompletedCount, target: command.TargetCount, errors: command.ErrorCount };
    }
    if (ms > COMMAND_DEADLINE_MS) fail(`command still ${command.Status} after ${COMMAND_DEADLINE_MS / 60_000} min (${command.CompletedCount}/${command.TargetCount} completed)`);
    await sleep(POLL_MS);
  }
}

/**
 * How many waves the ramp takes to start `nodes` invocations when every one
 * takes as long: the window is 1 + the finished ones, capped at MaxConcurrency
 * (command-progress.ts), so waves of 1, 2, 4 … and then of MaxConcurrency.
 */
function rampWaves(nodes: number, maxConcurrency: string): number {
  const cap = resolveRateLimit(maxConcurrency, nodes, 'MaxConcurrency');
  let started = 0;
  let waves = 0;
  while (started < nodes) {
    started += Math.min(cap, 1 + started, nodes - started);
    waves++;
  }
  return waves;
}

function list(name: string, text: string): number[] {
  return text.split(',').map((n) => positiveInt(name, n.trim()));
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

function loadAverage(): string {
  return os.loadavg().map((l) => l.toFixed(2)).join(' ');
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
