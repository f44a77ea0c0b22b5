/**
 * How many managed nodes one Tend server holds: N simulated agents (`tend
 * sim`, real WebSockets, real registration and key proofs) connect to a
 * `tend server` on SQLite; the time until the API reports all N Online, then
 * the server's memory and CPU while they heartbeat. See README.md here.
 *
 *   npm run bench:fleet -- [--nodes 1000,10000] [--window <s>] [--ping-timeout <s>] [--concurrency 50]
 */
import os from 'node:os';
import { parseArgs } from 'node:util';
import { formatTable } from '@tend/cli';
import { heartbeatSecondsFor } from '../../apps/server/src/config.ts';
import { formatMb, measureUsage, sampleProcess, childPids, type UsageSummary } from '../support/proc-stats.ts';
import { CAN_PIN, TEND_BIN, type BenchServer, countNodes, createActivations, fail, log, positiveInt, startNode, startTendServer, stopChild, tempDir } from '../support/processes.ts';

const TARGET_NODES = 10_000;
const TARGET_SERVER_RSS_BYTES = 1.5e9;
/** The server's default TEND_PING_TIMEOUT_SECONDS. */
const DEFAULT_PING_TIMEOUT = 300;
const SERVER_CPU = 0;
const SIM_CPU = 1;
// A fleet that is not all Online by then is reported as a failure, not waited for.
const ONLINE_DEADLINE_MS = 15 * 60_000;

const { values: args } = parseArgs({
  options: {
    nodes: { type: 'string', default: '1000,10000' },
    window: { type: 'string' },
    'ping-timeout': { type: 'string' },
    concurrency: { type: 'string', default: '50' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write('usage: npm run bench:fleet -- [--nodes <n>[,<n>…]=1000,10000] [--window <s>=one heartbeat period] [--ping-timeout <s>=300] [--concurrency <n>=50]\n');
  process.exit(0);
}
const fleetSizes = args.nodes.split(',').map((n) => positiveInt('nodes', n.trim()));
const pingTimeout = args['ping-timeout'] === undefined ? DEFAULT_PING_TIMEOUT : positiveInt('ping-timeout', args['ping-timeout']);
const heartbeatSeconds = heartbeatSecondsFor(pingTimeout);
// One whole heartbeat period by default: every node beats exactly once in it, whatever the phase of the beats.
const windowSeconds = args.window === undefined ? heartbeatSeconds : positiveInt('window', args.window);
const concurrency = positiveInt('concurrency', args.concurrency);

interface FleetResult {
  nodes: number;
  activations: number;
  /** From starting the simulator to the API reporting every node Online. */
  onlineSeconds: number;
  server: UsageSummary;
  sim: UsageSummary;
  /** RSS of the server's own children (tsx's esbuild helper), which the server figure leaves out. */
  helperRssBytes: number;
  onlineAfterWindow: number;
}

log(`node ${process.version}, ${os.availableParallelism()} CPUs, ${Math.round(os.totalmem() / 1e9)} GB RAM; ${CAN_PIN ? `server on CPU ${SERVER_CPU}, simulator on CPU ${SIM_CPU}` : 'no CPU pinning (taskset missing or one CPU)'}`);
log(`ping timeout ${pingTimeout} s → heartbeat every ${heartbeatSeconds} s; steady window ${windowSeconds} s; fleets: ${fleetSizes.join(', ')}`);

const results: FleetResult[] = [];
for (const nodes of fleetSizes) results.push(await runFleet(nodes));

const rows = results.map((r) => [
  r.nodes.toLocaleString('en-US'),
  String(r.activations),
  `${r.onlineSeconds.toFixed(1)} s`,
  formatMb(r.server.rssMeanBytes),
  formatMb(r.server.peakRssBytes),
  `${r.server.cpuPercent.toFixed(1)} %`,
  formatMb(r.sim.rssMeanBytes),
  `${r.sim.cpuPercent.toFixed(1)} %`,
  `${r.onlineAfterWindow.toLocaleString('en-US')}/${r.nodes.toLocaleString('en-US')}`,
]);
process.stdout.write(
  `\nFleet of simulated agents, SQLite, heartbeat every ${heartbeatSeconds} s, steady window ${windowSeconds} s\n\n` +
    formatTable(
      [
        { header: 'nodes', align: 'right' },
        { header: 'activations', align: 'right' },
        { header: 'all online after', align: 'right' },
        { header: 'server rss', align: 'right' },
        { header: 'server peak rss', align: 'right' },
        { header: 'server cpu', align: 'right' },
        { header: 'sim rss', align: 'right' },
        { header: 'sim cpu', align: 'right' },
        { header: 'online at end', align: 'right' },
      ],
      rows,
    ) +
    '\n' +
    'server rss: mean over the window; peak: the highest since start (VmHWM, includes ramp-up); cpu: % of one core over the window.\n' +
    results.map((r) => (r.helperRssBytes ? `server's esbuild helper (tsx) at ${r.nodes} nodes: ${formatMb(r.helperRssBytes)}, not included above\n` : '')).join('') +
    targetLine() +
    '\n',
);

function targetLine(): string {
  const atTarget = results.find((r) => r.nodes === TARGET_NODES);
  if (!atTarget) return `target: ${TARGET_NODES.toLocaleString('en-US')} nodes held with server RSS < ${formatMb(TARGET_SERVER_RSS_BYTES)} (not measured: run with --nodes ${TARGET_NODES})\n`;
  const held = atTarget.onlineAfterWindow === atTarget.nodes;
  const rss = Math.max(atTarget.server.rssMaxBytes, atTarget.server.peakRssBytes);
  const met = held && rss < TARGET_SERVER_RSS_BYTES;
  return (
    `${TARGET_NODES.toLocaleString('en-US')} nodes: ${held ? 'all held Online' : `only ${atTarget.onlineAfterWindow} Online at the end`}, ` +
    `server RSS peak ${formatMb(rss)}   target < ${formatMb(TARGET_SERVER_RSS_BYTES)}   ${met ? 'met' : 'MISSED'}\n`
  );
}

/** One fleet on a fresh server: connect, wait for all Online, measure a steady window, stop. */
async function runFleet(nodes: number): Promise<FleetResult> {
  log(`--- ${nodes.toLocaleString('en-US')} nodes ---`);
  const server = await startTendServer({
    cpu: SERVER_CPU,
    env: args['ping-timeout'] === undefined ? {} : { TEND_PING_TIMEOUT_SECONDS: String(pingTimeout) },
  });
  const serverPid = server.child.pid!;
  log(`tend server pid ${serverPid} at ${server.url} (SQLite in ${server.dataDir}), RSS ${formatMb(sampleProcess(serverPid).rssBytes)} before any node`);

  const activations = await createActivations(server.client, nodes);
  log(`${activations.length} activation${activations.length === 1 ? '' : 's'} created (at most 1,000 registrations each)`);

  const stateDir = tempDir('tend-bench-sim-');
  const simArgs = [TEND_BIN, 'sim', '--server', server.url, '--nodes', String(nodes), '--state-dir', stateDir, '--concurrency', String(concurrency), '--log-level', 'error'];
  for (const a of activations) simArgs.push('--activation-id', a.id, '--activation-code', a.code);
  const started = performance.now();
  const sim = startNode('tend sim', simArgs, { cpu: SIM_CPU, essential: true, stdout: 'pipe' });
  let simLine = '';
  let simBuffer = '';
  sim.stdout!.on('data', (chunk: Buffer) => {
    simBuffer += chunk.toString();
    const lines = simBuffer.split('\n');
    simBuffer = lines.pop()!;
    if (lines.length) simLine = lines[lines.length - 1]!;
  });

  const onlineSeconds = await waitAllOnline(server, nodes, started, () => simLine);
  log(`all ${nodes} Online (API) after ${onlineSeconds.toFixed(1)} s; measuring ${windowSeconds} s of steady heartbeats`);

  const [serverUsage, simUsage] = await measureUsage([serverPid, sim.pid!], windowSeconds, (s) => {
    if (s % 10 === 0) log(`steady ${s}/${windowSeconds} s: server RSS ${formatMb(sampleProcess(serverPid).rssBytes)}, sim RSS ${formatMb(sampleProcess(sim.pid!).rssBytes)}`);
  });
  const helperRssBytes = childPids(serverPid).reduce((sum, pid) => sum + sampleProcess(pid).rssBytes, 0);
  const onlineAfterWindow = await countNodes(server.client, 'Online');
  log(`${onlineAfterWindow}/${nodes} Online after the window`);

  await stopChild(sim, 30_000);
  await stopChild(server.child, 30_000);
  return { nodes, activations: activations.length, onlineSeconds, server: serverUsage!, sim: simUsage!, helperRssBytes, onlineAfterWindow };
}

/**
 * Progress from the server's connection gauge (/metrics, one cheap request);
 * once it shows every node connected, the API count is the judge.
 */
async function waitAllOnline(server: BenchServer, nodes: number, started: number, simLine: () => string): Promise<number> {
  let lastLog = 0;
  for (;;) {
    const elapsed = performance.now() - started;
    if (elapsed > ONLINE_DEADLINE_MS) fail(`not all ${nodes} nodes Online after ${ONLINE_DEADLINE_MS / 60_000} min (sim: ${simLine()})`);
    const connections = await connectionGauge(server.url);
    if (connections >= nodes) {
      const online = await countNodes(server.client, 'Online');
      if (online >= nodes) return (performance.now() - started) / 1000;
    }
    if (elapsed - lastLog >= 2000) {
      lastLog = elapsed;
      log(`${(elapsed / 1000).toFixed(0)} s: server holds ${connections} connections, RSS ${formatMb(sampleProcess(server.child.pid!).rssBytes)}; sim: ${simLine() || 'starting'}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function connectionGauge(url: string): Promise<number> {
  const text = await fetch(`${url}/metrics`).then((r) => r.text(), () => '');
  return Number(/^tend_agent_connections (\d+)/m.exec(text)?.[1] ?? 0);
}
