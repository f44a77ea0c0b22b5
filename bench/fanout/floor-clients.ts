/**
 * The floor for bench/fanout, client side: `--clients` plain `ws` clients in
 * one process (as `tend sim` holds its nodes), each sending back every frame
 * it receives. Runs until killed.
 */
import { parseArgs } from 'node:util';
import WebSocket from 'ws';

const { values } = parseArgs({ options: { port: { type: 'string' }, clients: { type: 'string' } } });
const url = `ws://127.0.0.1:${values.port}`;
const clients = Number(values.clients);
// Connections opened at once; thousands together would overflow the listen backlog, as with `tend sim`'s --concurrency.
const IN_FLIGHT = 50;

function connect(): Promise<void> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { perMessageDeflate: false });
    ws.on('message', (data, isBinary) => ws.send(data, { binary: isBinary }));
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
}

let next = 0;
await Promise.all(
  Array.from({ length: Math.min(IN_FLIGHT, clients) }, async () => {
    while (next < clients) {
      next++;
      await connect();
    }
  }),
);
process.on('SIGTERM', () => process.exit(0));
