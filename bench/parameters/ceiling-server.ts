/**
 * The ceiling for bench/parameters: a bare Node `http` server that reads the
 * request and answers the same JSON body Tend answers, with no routing,
 * signature check or storage. Prints `{"port":N}` once listening.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';

const body = Buffer.from(process.env.CEILING_BODY ?? '{}');

const server = http.createServer((req, res) => {
  // Read the whole request like a real handler must, or the comparison flatters the ceiling.
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, {
      'content-type': 'application/x-amz-json-1.1',
      'content-length': body.length,
      'x-amzn-requestid': randomUUID(),
    });
    res.end(body);
  });
});
server.keepAliveTimeout = 60_000;
server.listen(0, '127.0.0.1', () => {
  const address = server.address();
  process.stdout.write(JSON.stringify({ port: typeof address === 'object' && address ? address.port : 0 }) + '\n');
});
// A throw-away process: no connection draining needed.
process.on('SIGTERM', () => process.exit(0));
