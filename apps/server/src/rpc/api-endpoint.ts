import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import type { ApiMetrics } from './api-metrics.js';
import type { Pipeline } from './pipeline.js';

const AMZ_JSON = 'application/x-amz-json-1.1';
export const MAX_REQUEST_BYTES = 1024 * 1024;

/**
 * `POST /`, the whole API, served straight from node:http. This is the one
 * hot path of the server (every SDK call), so it skips the web framework's
 * routing, hooks and reply machinery, which cost more than SigV4 and the
 * database read together; the framework serves every other route.
 */
export function createApiHandler(pipeline: Pipeline, metrics: ApiMetrics): (req: IncomingMessage, res: ServerResponse) => void {
  return (req, res) => {
    const started = performance.now();
    const chunks: Buffer[] = [];
    let size = 0;
    let refused = false;
    req.on('data', (chunk: Buffer) => {
      if (refused) return;
      size += chunk.length;
      if (size > MAX_REQUEST_BYTES) {
        refused = true;
        answer(res, 413, 'unknown', 'SerializationException', JSON.stringify({ __type: 'SerializationException', message: 'Request body is larger than 1 MiB' }));
        req.resume();
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (refused) return;
      pipeline
        .handle({
          method: 'POST',
          url: req.url ?? '/',
          headers: req.headers,
          body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks),
          sourceIp: req.socket.remoteAddress ?? '',
        })
        .then((result) => {
          metrics.record(result.target, result.errorType ?? 'Success', (performance.now() - started) / 1000);
          answer(res, result.status, result.requestId, result.errorType, result.body);
        })
        .catch(() => {
          // The pipeline turns every failure into an answer; this only guards the socket.
          if (!res.headersSent) answer(res, 500, 'unknown', 'InternalServerError', JSON.stringify({ __type: 'InternalServerError', message: 'An internal error occurred' }));
        });
    });
  };
}

function answer(res: ServerResponse, status: number, requestId: string, errorType: string | undefined, body: string): void {
  const headers: Record<string, string | number> = {
    'content-type': AMZ_JSON,
    'content-length': Buffer.byteLength(body),
    'x-amzn-requestid': requestId,
  };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  res.writeHead(status, headers);
  res.end(body);
}
