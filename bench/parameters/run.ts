/**
 * GetParameter throughput and latency through Tend's full request pipeline
 * (SigV4 check, routing, validation, authorization, SQLite read,
 * serialization), beside the ceiling of a bare Node `http` server answering
 * the same bytes. See README.md in this folder.
 *
 *   npm run bench:parameters -- [--duration 10] [--rounds 3] [--connections 10] [--warmup 2] [--rate <req/s>] [--cpu-prof <dir>]
 */
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { once } from 'node:events';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { TendClient, formatTable } from '@tend/cli';
import { sampleProcess } from '../support/proc-stats.ts';
import type { LoadSpec, LoadSummary } from './load.ts';

const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const HERE = fileURLToPath(new URL('.', import.meta.url));
const TARGET_RATIO = 0.5;
const TARGET_P99_MS = 10;
// A replayed signature is accepted for 15 minutes; keep every run well inside that.
const MAX_SECONDS = 600;
const CREDENTIALS = { accessKeyId: 'AKIABENCHROOT0000001', secretAccessKey: 'bench-root-secret-not-for-production' };
const PARAMETER = { Name: '/bench/app/greeting', Value: 'hello from the parameters benchmark', Type: 'String', Overwrite: true };

const { values: args } = parseArgs({
  options: {
    duration: { type: 'string', default: '10' },
    rounds: { type: 'string', default: '3' },
    connections: { type: 'string', default: '10' },
    warmup: { type: 'string', default: '2' },
    rate: { type: 'string' },
    'cpu-prof': { type: 'string' },
    help: { type: 'boolean', default: false },
  },
});
if (args.help) {
  process.stdout.write(
    'usage: npm run bench:parameters -- [--duration <s>=10] [--rounds <n>=3] [--connections <n>=10] [--warmup <s>=2] [--rate <req/s>] [--cpu-prof <dir>]\n',
  );
  process.exit(0);
}
const duration = positiveInt('duration', args.duration);
const rounds = positiveInt('rounds', args.rounds);
const connections = positiveInt('connections', args.connections);
const warmup = Number(args.warmup);
// --rate: both servers get the same fixed load instead of as much as they can answer, so what
// each answer costs the server can be compared at equal load (the throughput target then does not apply).
const rate = args.rate === undefined ? undefined : positiveInt('rate', args.rate);
if (!Number.isInteger(warmup) || warmup < 0) fail('--warmup must be a whole number of seconds');
const TARGETS = 3;
if (rounds * TARGETS * (duration + warmup) > MAX_SECONDS) {
  fail(`--rounds × 3 targets × (--duration + --warmup) must stay under ${MAX_SECONDS} s (a signed request expires after 15 minutes)`);
}

// One core for whatever is measured, one for the load generator, when the machine has them.
const pin = os.availableParallelism() >= 2 && spawnSync('taskset', ['--version']).status === 0;
const SERVER_CPU = 0;
const LOAD_CPU = 1;

const children = new Set<ChildProcess>();
const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-bench-'));
process.on('exit', () => {
  for (const child of children) child.kill('SIGKILL');
  fs.rmSync(dataDir, { recursive: true, force: true });
});
process.on('SIGINT', () => process.exit(130));

log(`node ${process.version}, ${os.availableParallelism()} CPUs, ${pin ? `server on CPU ${SERVER_CPU}, load generator on CPU ${LOAD_CPU}` : 'no CPU pinning (taskset missing or one CPU)'}`);
log(`${connections} connections; ${rounds} rounds, each measuring every target for ${warmup} s of warm-up + ${duration} s`);

// 1. Tend, as `tend server` in its own process.
const port = await freePort();
log(`starting tend server on 127.0.0.1:${port} (SQLite in ${dataDir})`);
// --cpu-prof: V8 writes a .cpuprofile of each server when it exits, Tend's in <dir>/tend and the
// ceiling's in <dir>/ceiling, so the two can be compared (open them in Chrome DevTools).
const profileDir = args['cpu-prof'] ? path.resolve(args['cpu-prof']) : undefined;
const profile = (name: string) => (profileDir ? ['--cpu-prof', `--cpu-prof-dir=${path.join(profileDir, name)}`] : []);
const tend = start('tend server', [...profile('tend'), path.join(ROOT, 'apps/cli/bin/tend.js'), 'server', '--host', '127.0.0.1', '--port', String(port), '--data-dir', dataDir], {
  cpu: SERVER_CPU,
  server: true,
  env: {
    ...process.env,
    TEND_ROOT_ACCESS_KEY_ID: CREDENTIALS.accessKeyId,
    TEND_ROOT_SECRET_ACCESS_KEY: CREDENTIALS.secretAccessKey,
    TEND_LOG_LEVEL: 'warn',
    TEND_DATABASE_URL: '',
  },
});
const tendUrl = `http://127.0.0.1:${port}`;
await waitForHealth(tendUrl, tend);

const client = new TendClient({ endpoint: tendUrl, region: 'us-east-1', credentials: CREDENTIALS });
await client.ssm('PutParameter', PARAMETER).catch((err: Error) => fail(`PutParameter failed: ${err.name}: ${err.message}`));
const request = await client.sign('AmazonSSM.GetParameter', { Name: PARAMETER.Name });
// One request by hand first: the replayed request must succeed and carry the value, or the figures mean nothing.
const probe = await fetch(request.url, { method: 'POST', headers: request.headers, body: request.body });
const answer = await probe.text();
if (probe.status !== 200 || !answer.includes(PARAMETER.Value)) fail(`the signed GetParameter answered ${probe.status}: ${answer}`);
log(`GetParameter answers 200 with ${Buffer.byteLength(answer)} bytes; replaying that signed request`);

// 2. The ceiling: bare `http`, same response body, same load; and the same server checking the
// signature first, which shows what SigV4 alone (that every SigV4 service must do) leaves of it.
const targets: Target[] = [
  { label: 'tend', row: 'tend (full pipeline, SQLite)', server: tend, url: request.url, results: [] },
  await startBareServer('ceiling', 'bare node:http (ceiling)', {}),
  await startBareServer('ceiling + SigV4 check', 'node:http + SigV4 check only', { CEILING_VERIFY_SECRET: CREDENTIALS.secretAccessKey }),
];
const [tendTarget, ceilingTarget, signedOnlyTarget] = targets as [Target, Target, Target];

// 3. Rounds: every target in turn, again and again. A shared machine's speed drifts over a run;
// comparing targets measured seconds apart, round by round, keeps that drift out of the ratio.
for (let round = 1; round <= rounds; round++) {
  for (const target of targets) {
    log(`round ${round}/${rounds}: ${target.label}`);
    target.results.push(
      await measure({ label: target.label, url: target.url, headers: request.headers, body: request.body, connections, duration, warmup, rate }, target.server),
    );
  }
}
for (const target of targets) await stop(target.server);
if (profileDir) log(`CPU profiles written to ${profileDir} (tend, ceiling, ceiling-SigV4-check)`);

// 4. Report: the median round of each target, and the median of the per-round ratios.
const roundRatios = tendTarget.results.map((r, i) => r.requestsPerSecond / ceilingTarget.results[i]!.requestsPerSecond);
const signedOnlyRatios = signedOnlyTarget.results.map((r, i) => r.requestsPerSecond / ceilingTarget.results[i]!.requestsPerSecond);
const ratio = median(roundRatios);
const tendResult = medianRound(tendTarget.results);
const ceilingResult = medianRound(ceilingTarget.results);
const cpuRatios = tendTarget.results.map((r, i) => r.serverCpuMicrosPerAnswer / ceilingTarget.results[i]!.serverCpuMicrosPerAnswer);
const row = (target: Target) => {
  const r = medianRound(target.results);
  return [
    target.row,
    fmtInt(r.requestsPerSecond),
    target.results.length > 1 ? `${fmtInt(Math.min(...target.results.map((x) => x.requestsPerSecond)))} – ${fmtInt(Math.max(...target.results.map((x) => x.requestsPerSecond)))}` : '',
    fmtMs(r.p50Ms),
    fmtMs(r.p90Ms),
    fmtMs(r.p99Ms),
    fmtMs(r.maxMs),
    fmtInt(target.results.reduce((sum, x) => sum + x.requests, 0)),
    String(target.results.reduce((sum, x) => sum + x.non2xx, 0)),
    r.serverCpuMicrosPerAnswer.toFixed(1),
  ];
};
const percents = (values: number[]) => values.map((v) => `${(v * 100).toFixed(1)}%`).join(', ');
const verdicts = rate
  ? `at ${fmtInt(rate)} req/s offered to both: an answer costs Tend ${median(cpuRatios).toFixed(2)}× the server CPU it costs the ceiling (median of the rounds)\n` +
    `(the throughput target is measured without --rate)\n`
  : `tend / ceiling throughput: ${(ratio * 100).toFixed(1)}%   target ≥ ${TARGET_RATIO * 100}%   ${ratio >= TARGET_RATIO ? 'met' : 'MISSED'}` +
    (rounds > 1 ? `   (median of the rounds: ${percents(roundRatios)})` : '') +
    `\n` +
    `tend p99 latency:          ${fmtMs(tendResult.p99Ms)} ms   target < ${TARGET_P99_MS} ms   ${tendResult.p99Ms < TARGET_P99_MS ? 'met' : 'MISSED'}\n` +
    `server CPU per answer:     tend ${tendResult.serverCpuMicrosPerAnswer.toFixed(1)} µs, ceiling ${ceilingResult.serverCpuMicrosPerAnswer.toFixed(1)} µs\n` +
    `SigV4 check alone:         ${(median(signedOnlyRatios) * 100).toFixed(1)}% of the ceiling\n`;
process.stdout.write(
  `\nGetParameter, SigV4-signed, ${connections} connections, ${rounds} × ${duration} s per target${rate ? `, ${fmtInt(rate)} req/s offered` : ''}\n` +
    (rounds > 1 ? `(each row: the target's median round; req/s range: its slowest and fastest rounds)\n` : '') +
    `\n` +
    formatTable(
      [
        { header: 'target' },
        { header: 'req/s', align: 'right' },
        { header: 'req/s range', align: 'right' },
        { header: 'p50 ms', align: 'right' },
        { header: 'p90 ms', align: 'right' },
        { header: 'p99 ms', align: 'right' },
        { header: 'max ms', align: 'right' },
        { header: 'requests', align: 'right' },
        { header: 'non-2xx', align: 'right' },
        { header: 'server CPU us/answer', align: 'right' },
      ],
      targets.map(row),
    ) +
    '\n' +
    verdicts,
);

/** A server under test, and its result in each round. */
interface Target {
  label: string;
  /** The row's name in the report. */
  row: string;
  server: ChildProcess;
  url: string;
  results: Measured[];
}

/** Starts ceiling-server.ts, pinned like Tend and answering Tend's bytes; it idles while the others are measured. */
async function startBareServer(label: string, row: string, env: NodeJS.ProcessEnv): Promise<Target> {
  log(`starting the bare node:http server (${label})`);
  const server = start(label, [...profile(label.replace(/\W+/g, '-')), '--import', 'tsx', path.join(HERE, 'ceiling-server.ts')], {
    cpu: SERVER_CPU,
    server: true,
    env: { ...process.env, ...env, CEILING_BODY: answer },
    stdout: 'pipe',
  });
  const serverPort = (JSON.parse(await firstLine(server)) as { port: number }).port;
  return { label, row, server, url: `http://127.0.0.1:${serverPort}/`, results: [] };
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The round of median throughput (the lower middle one of an even count), so a row's figures come from one measurement. */
function medianRound(results: Measured[]): Measured {
  const sorted = [...results].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  return sorted[(sorted.length - 1) >> 1]!;
}

/** A load summary plus the server's CPU time (user + system) per answer over the measured window. */
interface Measured extends LoadSummary {
  serverCpuMicrosPerAnswer: number;
}

/** Runs the load generator in its own process and returns its summary. */
async function measure(spec: LoadSpec, server: ChildProcess): Promise<Measured> {
  log(`measuring ${spec.label}`);
  const load = start(`load generator (${spec.label})`, ['--import', 'tsx', path.join(HERE, 'load.ts'), JSON.stringify(spec)], {
    cpu: LOAD_CPU,
    stdout: 'pipe',
  });
  // The load generator prints `measuring` when its warm-up ends, then its summary: the server's
  // CPU time is read at both moments, which gives what one answer costs the server.
  let out = '';
  let cpuAtStart: number | undefined;
  load.stdout!.on('data', (chunk: Buffer) => {
    out += chunk.toString();
    if (cpuAtStart === undefined && out.startsWith('measuring\n')) cpuAtStart = sampleProcess(server.pid!).cpuSeconds;
  });
  const [code] = (await once(load, 'exit')) as [number | null];
  const cpuAtEnd = sampleProcess(server.pid!).cpuSeconds;
  children.delete(load);
  if (code !== 0) fail(`the load generator for ${spec.label} exited with ${code}`);
  const result = JSON.parse(out.slice(out.indexOf('{'))) as LoadSummary;
  // Throughput of error answers is not throughput: any non-2xx, error or timeout voids the run.
  if (result.non2xx || result.errors || result.timeouts) {
    fail(`${spec.label} had ${result.non2xx} non-2xx answers, ${result.errors} errors, ${result.timeouts} timeouts (status codes ${JSON.stringify(result.statusCodes)})`);
  }
  log(`${spec.label}: ${result.requests} answers, all 2xx`);
  return { ...result, serverCpuMicrosPerAnswer: ((cpuAtEnd - (cpuAtStart ?? cpuAtEnd)) * 1e6) / result.requests };
}

/** Starts a node child (pinned when possible). A `server` dying before `stop` fails the run. */
function start(name: string, nodeArgs: string[], options: { cpu: number; env?: NodeJS.ProcessEnv; stdout?: 'pipe'; server?: boolean }): ChildProcess {
  const [command, argv] = pin ? ['taskset', ['-c', String(options.cpu), process.execPath, ...nodeArgs]] : [process.execPath, nodeArgs];
  const child = spawn(command, argv, { cwd: ROOT, env: options.env ?? process.env, stdio: ['ignore', options.stdout ?? 'inherit', 'inherit'] });
  children.add(child);
  child.on('exit', (code, signal) => {
    // A server that dies on its own mid-run invalidates the run.
    if (options.server && children.has(child)) fail(`${name} exited unexpectedly (${signal ?? `code ${code}`})`);
  });
  return child;
}

async function stop(child: ChildProcess): Promise<void> {
  children.delete(child);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = once(child, 'exit');
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
  await exited;
  clearTimeout(timer);
}

async function waitForHealth(url: string, child: ChildProcess): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) fail('tend server exited during start-up');
    const ok = await fetch(`${url}/healthz`).then((r) => r.ok, () => false);
    if (ok) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  fail('tend server did not become healthy within 30 s');
}

function firstLine(child: ChildProcess): Promise<string> {
  return new Promise((resolve) => {
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const nl = buffered.indexOf('\n');
      if (nl !== -1) resolve(buffered.slice(0, nl));
    });
  });
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = net.createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
    });
  });
}

function positiveInt(name: string, text: string | undefined): number {
  const n = Number(text);
  if (!Number.isInteger(n) || n <= 0) fail(`--${name} must be a positive whole number`);
  return n;
}

function fmtInt(n: number): string {
  return Math.round(n).toLocaleString('en-US');
}

function fmtMs(n: number): string {
  return n.toFixed(2);
}

function log(message: string): void {
  process.stderr.write(`[bench] ${message}\n`);
}

function fail(message: string): never {
  process.stderr.write(`\n[bench] FAILED: ${message}\n`);
  process.exit(1);
}
