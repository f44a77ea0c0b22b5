/**
 * The ceiling for bench/parameters: a bare Node `http` server that reads the
 * request and answers the same JSON body Tend answers, with no routing,
 * signature check or storage. Prints `{"port":N}` once listening.
 *
 * With CEILING_VERIFY_SECRET set it first verifies the request's SigV4
 * signature with that secret, using Tend's own code (rpc/sigv4.ts), and
 * answers 403 if it does not match: what the signature check alone, which
 * no SigV4 service can skip, leaves of the ceiling.
 */
import http from 'node:http';
import { randomUUID } from 'node:crypto';
import { parseAuthorization, verifySignature } from '../../apps/server/src/rpc/sigv4.ts';

const body = Buffer.from(process.env.CEILING_BODY ?? '{}');
const secret = process.env.CEILING_VERIFY_SECRET;

function signatureMatches(req: http.IncomingMessage, chunks: Buffer[]): boolean {
  const signed = { method: 'POST', url: req.url ?? '/', headers: req.headers, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks) };
  try {
    verifySignature(signed, parseAuthorization(signed, new Date()), secret!);
    return true;
  } catch {
    return false;
  }
}

const server = http.createServer((req, res) => {
  // Read the whole request like a real handler must, or the comparison flatters the ceiling.
  const chunks: Buffer[] = [];
  req.on('data', (chunk: Buffer) => chunks.push(chunk));
  req.on('end', () => {
    const status = secret === undefined || signatureMatches(req, chunks) ? 200 : 403;
    res.writeHead(status, {
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
process.on('SIGTERM', () => process.exit(0));
