import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { AGENT_PROTOCOL_VERSION, type InvocationResultFrame } from '@tend/protocol';
import type { FakeGateway } from '../../testing/fake-gateway.js';
import { commandLine } from './agent-processes.js';

/**
 * Helpers for the update tests: agents run as users run them (`node
 * tend-agent.cjs agent …`), releases in a real server's release dir, and a
 * front that joins that server (GET /agent/…: releases and bundles) with a
 * fake gateway (registration and the WebSocket), through which a test sends
 * `invocation.start` frames as the server's Run Command will.
 */

/** One HTTP address for the agent: release downloads go to `releasesUrl`, everything else to the gateway. */
export async function startFront(releasesUrl: string, gateway: FakeGateway): Promise<{ url: string; close(): Promise<void> }> {
  const releases = new URL(releasesUrl);
  const sockets = new Set<net.Socket>();
  const server = http.createServer((req, res) => {
    const toReleases = req.method === 'GET' && req.url?.startsWith('/agent/');
    const upstream = http.request(
      { host: '127.0.0.1', port: toReleases ? Number(releases.port) : gateway.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.destroy());
    req.pipe(upstream);
  });
  // WebSocket upgrades: bytes both ways between the agent and the gateway.
  server.on('upgrade', (req: http.IncomingMessage, socket: net.Socket, head: Buffer) => {
    const upstream = net.connect(gateway.port, '127.0.0.1', () => {
      const lines = [`${req.method} ${req.url} HTTP/1.1`];
      for (let i = 0; i < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
      upstream.write(lines.join('\r\n') + '\r\n\r\n');
      upstream.write(head);
      socket.pipe(upstream).pipe(socket);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    const end = () => {
      socket.destroy();
      upstream.destroy();
    };
    upstream.on('error', end);
    socket.on('error', end);
    socket.on('close', end);
    upstream.on('close', end);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** Puts a release where an operator would: `<data dir>/agent-releases/<version>/tend-agent.cjs`. */
export function addRelease(dataDir: string, version: string, code: string | Buffer): void {
  const dir = path.join(dataDir, 'agent-releases', version);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'tend-agent.cjs'), code);
}

/** A bundle that passes the install check (`--version` prints `version`) and dies as soon as it runs as the agent. */
export function crashingBundle(version: string): string {
  return `if (process.argv.includes('--version')) { console.log(${JSON.stringify(version)}); process.exit(0); }
process.stderr.write('broken agent build ' + ${JSON.stringify(version)} + ': crashing at start-up\\n');
process.exit(3);
`;
}

/** A bundle that passes the install check and then runs forever without ever connecting. */
export function silentBundle(version: string): string {
  return `if (process.argv.includes('--version')) { console.log(${JSON.stringify(version)}); process.exit(0); }
process.stderr.write('broken agent build ' + ${JSON.stringify(version)} + ': never connects\\n');
setInterval(() => {}, 1 << 30);
`;
}

/** A real agent process: `node <bundle> agent …`, its stderr collected (the watchdog and later agents write there too). */
export interface AgentProcess {
  child: ChildProcess;
  readonly log: string;
  exited: Promise<number | null>;
}

export function startBundledAgent(command: string, args: string[], env: NodeJS.ProcessEnv): AgentProcess {
  const child = spawn(command, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let log = '';
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    child,
    get log() {
      return log;
    },
    exited,
  };
}

/** Pids of the processes whose command line mentions `dir` (the agents, watchdogs and loops a test started there). */
export function processesMentioning(dir: string): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry) && Number(entry) !== process.pid)
    .map(Number)
    .filter((pid) => commandLine(pid)?.some((arg) => arg.includes(dir)));
}

/** An `invocation.start` for AWS-UpdateSSMAgent's one step, as the server renders it. */
export function updateInvocation(invocationId: string, inputs: { targetVersion: string; allowDowngrade?: string }) {
  return {
    v: AGENT_PROTOCOL_VERSION,
    type: 'invocation.start',
    invocationId,
    commandId: `cmd-${invocationId}`,
    documentName: 'AWS-UpdateSSMAgent',
    steps: [{ name: 'updateAgent', action: 'aws:updateSsmAgent', inputs: { targetVersion: inputs.targetVersion, allowDowngrade: inputs.allowDowngrade ?? 'false' } }],
    executionDeadline: Date.now() + 600_000,
  };
}

/** Results the gateway received for `invocationId`, in order. */
export function resultsFor(gateway: FakeGateway, invocationId: string): InvocationResultFrame[] {
  return gateway.frames.flatMap(({ frame }) => (frame.type === 'invocation.result' && frame.invocationId === invocationId ? [frame] : []));
}
