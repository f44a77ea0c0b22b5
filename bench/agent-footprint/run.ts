/**
 * The agent's idle footprint: a real agent connected to a real server,
 * doing nothing, measured over a window (RSS, CPU). Two ways to run it:
 * `tend agent` from the repository (tsx compiles the TypeScript at start-up)
 * and the single file install.sh puts on hosts (GET /agent/tend-agent.cjs,
 * plain node). Beside them, idle processes that load only part of the first,
 * to show where its memory goes. See README.md here.
 *
 *   npm run bench:agent -- [--window 20] [--settle 5]
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { formatTable } from '@tend/cli';
import { childPids, formatMb, measureUsage, sampleProcess, type UsageSummary } from '../support/proc-stats.ts';
import { CAN_PIN, TEND_BIN, createActivations, fail, log, positiveInt, startNode, startTendServer, stopChild, tempDir } from '../support/processes.ts';

const TARGET_RSS_BYTES = 60e6;
const SERVER_CPU = 0;
const AGENT_CPU = 1;

const { values: args } = parseArgs({
  options: {
    window: { type: 'string', default: '20' },
    settle: { type: 'string', default: '5' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write('usage: npm run bench:agent -- [--window <s>=20] [--settle <s>=5]\n');
  process.exit(0);
}
const windowSeconds = positiveInt('window', args.window);
const settleSeconds = Number(args.settle);
if (!Number.isInteger(settleSeconds) || settleSeconds < 0) fail('--settle must be a whole number of seconds');

log(`node ${process.version}, ${os.availableParallelism()} CPUs; ${CAN_PIN ? `server on CPU ${SERVER_CPU}, measured processes on CPU ${AGENT_CPU}` : 'no CPU pinning'}`);
const server = await startTendServer({ cpu: SERVER_CPU });
const [activation] = await createActivations(server.client, 3);
const work = tempDir('tend-bench-agent-');

// The installed form, fetched the way install.sh fetches it.
const bundleFile = path.join(work, 'tend-agent.cjs');
const bundle = await fetch(`${server.url}/agent/tend-agent.cjs`);
if (!bundle.ok) fail(`GET /agent/tend-agent.cjs answered ${bundle.status}`);
fs.writeFileSync(bundleFile, Buffer.from(await bundle.arrayBuffer()));
log(`agent bundle: ${formatMb(fs.statSync(bundleFile).size)} from ${server.url}/agent/tend-agent.cjs`);

interface Subject {
  label: string;
  what: string;
  args: string[];
  /** A connected agent: ready once it logs that it is online. Otherwise an idle process that prints `ready`. */
  agent?: boolean;
}

const agentArgs = (name: string) => ['agent', '--server', server.url, '--activation-id', activation!.id, '--state-dir', path.join(work, name), '--name', name, '--log-level', 'info'];
/** The agent's log line once its connection is authenticated. */
const ONLINE = /"msg":"online"/;
const idle = 'setInterval(() => {}, 1 << 30); console.log("ready");';
const underTsx = (imports: string[]) => ['--input-type=module', '-e', `import { register } from 'tsx/esm/api'; register(); ${imports.map((m) => `await import('${m}');`).join(' ')} ${idle}`];
const subjects: Subject[] = [
  { label: 'tend agent', what: 'first start, as `npx tend agent` runs it: tsx + the whole CLI entry', args: [TEND_BIN, ...agentArgs('tsx-agent')], agent: true },
  { label: 'installed agent', what: 'first start (registers), tend-agent.cjs from install.sh, plain node', args: [bundleFile, ...agentArgs('bundled-agent')], agent: true },
  { label: 'installed, restarted', what: 'the same, started again with its saved identity: no registration', args: [bundleFile, ...agentArgs('restarted-agent')], agent: true },
  { label: 'node', what: 'bare node, idle: the floor', args: ['-e', idle] },
  { label: 'node + tsx', what: "tsx's loader registered, nothing loaded", args: underTsx([]) },
  { label: 'tsx + agent modules', what: 'tsx loading only what the agent needs: @tend/agent, commander', args: underTsx(['@tend/agent', 'commander']) },
];

// The restarted agent registers once beforehand, then starts again below like a host after a reboot.
const first = startNode('agent registration', subjects[2]!.args, { cpu: AGENT_CPU, stderr: 'pipe', env: { ...process.env, TEND_ACTIVATION_CODE: activation!.code } });
await waitFor(first.stderr!, ONLINE, 'the first start of the restarted agent');
await stopChild(first);

const children = subjects.map((s) =>
  startNode(s.label, s.args, { cpu: AGENT_CPU, essential: true, stdout: 'pipe', stderr: 'pipe', env: { ...process.env, TEND_ACTIVATION_CODE: activation!.code } }),
);
await Promise.all(subjects.map((s, i) => (s.agent ? waitFor(children[i]!.stderr!, ONLINE, s.label) : waitFor(children[i]!.stdout!, /^ready$/m, s.label))));
log(`all ${subjects.length} processes ready, the agents online. Settling ${settleSeconds} s, then measuring ${windowSeconds} s idle`);
await new Promise((resolve) => setTimeout(resolve, settleSeconds * 1000));

const pids = children.map((c) => c.pid!);
const helpers = pids.map((pid) => childPids(pid));
const usage = await measureUsage(pids, windowSeconds, (s) => {
  if (s % 5 === 0) log(`idle ${s}/${windowSeconds} s`);
});
const helperRss = helpers.map((list) => list.reduce((sum, pid) => sum + safeRss(pid), 0));
for (const child of children) await stopChild(child);
await stopChild(server.child);

const row = (s: Subject, u: UsageSummary) => [s.label, formatMb(u.rssMeanBytes), formatMb(u.peakRssBytes), `${u.cpuPercent.toFixed(2)} %`, s.what];
const verdict = (i: number) => {
  const rss = usage[i]!.rssMeanBytes;
  return `${subjects[i]!.label.padEnd(20)} idle RSS ${formatMb(rss).padStart(9)}   target < ${formatMb(TARGET_RSS_BYTES)}   ${rss < TARGET_RSS_BYTES ? 'met' : 'MISSED'}`;
};
process.stdout.write(
  `\nAgent idle footprint: connected, ${windowSeconds} s window after ${settleSeconds} s settling\n\n` +
    formatTable(
      [{ header: 'process' }, { header: 'rss', align: 'right' }, { header: 'peak rss', align: 'right' }, { header: 'cpu', align: 'right' }, { header: 'what it is' }],
      subjects.map((s, i) => row(s, usage[i]!)),
    ) +
    '\nrss: mean over the window; peak: highest since start (VmHWM); cpu: % of one core.\n' +
    // tsx may keep an esbuild compiler process as a child; it is memory the host pays too.
    subjects.map((s, i) => (helperRss[i] ? `${s.label}: child processes (esbuild) hold another ${formatMb(helperRss[i]!)}\n` : '')).join('') +
    '\n' +
    `${verdict(0)}\n${verdict(1)}\n${verdict(2)}\n`,
);

/** Resolves once `pattern` shows up in a child's output; the benchmark fails if it does not within 30 s. */
function waitFor(stream: NodeJS.ReadableStream, pattern: RegExp, label: string): Promise<void> {
  return new Promise((resolve) => {
    let text = '';
    let done = false;
    const timer = setTimeout(() => fail(`${label} did not get ready within 30 s; its output:\n${text}`), 30_000);
    // Only the start matters; later output is read and dropped so the pipe never fills.
    stream.on('data', (chunk: Buffer) => {
      if (done) return;
      text += chunk.toString();
      if (!pattern.test(text)) return;
      done = true;
      clearTimeout(timer);
      resolve();
    });
  });
}

/** A helper process may have exited between listing and reading it. */
function safeRss(pid: number): number {
  try {
    return sampleProcess(pid).rssBytes;
  } catch {
    return 0;
  }
}
