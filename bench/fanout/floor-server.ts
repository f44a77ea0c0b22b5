/**
 * The floor for bench/fanout, server side: a bare `ws` server with no
 * authentication, storage or scheduling. Once `--clients` clients are
 * connected it sends one small frame to each, `--rounds` times, and times
 * each round from the first send to the last reply. Prints `{"port":N}`
 * once listening and `{"roundsMs":[…]}` when done, then waits to be stopped.
 */
import { parseArgs } from 'node:util';
import { WebSocketServer, type WebSocket } from 'ws';

const { values } = parseArgs({ options: { clients: { type: 'string' }, rounds: { type: 'string', default: '5' } } });
const clients = Number(values.clients);
const rounds = Number(values.rounds);
// Between rounds, so one round's stragglers are not counted in the next.
const SETTLE_MS = 100;

const connected: WebSocket[] = [];
let round = -1;
let replies = 0;
let roundStarted = 0;
const roundsMs: number[] = [];

const wss = new WebSocketServer({ host: '127.0.0.1', port: 0, perMessageDeflate: false, backlog: 4096 }, () => {
  const address = wss.address();
  process.stdout.write(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }) + '\n');
});

wss.on('connection', (ws) => {
  connected.push(ws);
  ws.on('message', (data) => {
    // A reply names its round; a late one from an earlier round must not complete this one.
    if (Number(data.toString()) !== round) return;
    if (++replies === clients) endRound();
  });
  if (connected.length === clients) setTimeout(nextRound, SETTLE_MS);
});

function nextRound(): void {
  round++;
  replies = 0;
  const frame = String(round);
  roundStarted = performance.now();
  // One send per client, as a server sends one start frame per node.
  for (const ws of connected) ws.send(frame);
}

function endRound(): void {
  roundsMs.push(performance.now() - roundStarted);
  if (roundsMs.length < rounds) {
    setTimeout(nextRound, SETTLE_MS);
    return;
  }
  process.stdout.write(JSON.stringify({ roundsMs }) + '\n');
}

process.on('SIGTERM', () => process.exit(0));
