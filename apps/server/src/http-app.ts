import Fastify, { LogController, type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import http from 'node:http';
import client from 'prom-client';
import { createApiHandler, MAX_REQUEST_BYTES } from './rpc/api-endpoint.js';
import { ApiMetrics } from './rpc/api-metrics.js';
import type { Services } from './services.js';
import type { Pipeline } from './rpc/pipeline.js';
import type { AgentGateway } from './gateway/agent-gateway.js';
import { registerAgentRegistration } from './gateway/registration-endpoint.js';
import { registerInstallScript } from './gateway/install-script.js';
import type { FailureRateLimiter } from './gateway/failure-rate-limiter.js';

/** The agent-facing surface served beside the API. */
export interface AgentSurface {
  gateway: AgentGateway;
  /** Clock for registration times (tests set it). */
  clock: () => Date;
  /** Override of the registration failure limiter (tests). */
  registrationLimiter?: FailureRateLimiter;
}

const AMZ_JSON = 'application/x-amz-json-1.1';

/**
 * The HTTP surface: `POST /` for the API (rpc/api-endpoint.ts), `/healthz`,
 * `/metrics`, agent registration and the agent WebSocket (gateway/). Bodies
 * are kept as raw bytes because SigV4 signs the exact payload.
 */
export function buildHttpApp(services: Services, pipeline: Pipeline, isReady: () => boolean, agents: AgentSurface): FastifyInstance {
  const registry = new client.Registry();
  // Event loop lag sampled every 100 ms rather than prom-client's 10: the finer timer alone woke an idle server 100 times a second.
  client.collectDefaultMetrics({ register: registry, prefix: 'tend_', eventLoopMonitoringPrecision: 100 });
  const apiMetrics = new ApiMetrics();
  apiMetrics.register(registry);
  new client.Gauge({
    name: 'tend_agent_connections',
    help: 'Authenticated agent WebSocket connections held by this server',
    registers: [registry],
    collect() {
      this.set(agents.gateway.size);
    },
  });
  const apiHandler = createApiHandler(pipeline, apiMetrics);

  const app = Fastify({
    loggerInstance: services.logger as unknown as FastifyBaseLogger,
    // Per-request log lines would cost more than the hot path itself; errors are logged with their request id.
    logController: new LogController({ disableRequestLogging: true }),
    bodyLimit: MAX_REQUEST_BYTES,
    // POST / (the API) is answered before the framework sees it; see api-endpoint.ts.
    serverFactory: (frameworkHandler) =>
      http.createServer((req, res) => {
        if (req.method === 'POST' && (req.url === '/' || req.url?.startsWith('/?'))) apiHandler(req, res);
        else frameworkHandler(req, res);
      }),
    // Behind a proxy the operator sets this; locally the socket address is the truth.
    trustProxy: false,
  });
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  app.get('/healthz', async (_request, reply) => {
    if (!isReady()) return reply.code(503).send({ status: 'starting' });
    return reply.send({ status: 'ok', version: services.version });
  });

  app.get('/metrics', async (_request, reply) => {
    reply.header('content-type', registry.contentType);
    return reply.send(await registry.metrics());
  });

  registerAgentRegistration(app, { nodes: services.nodes, logger: services.logger, clock: agents.clock, limiter: agents.registrationLimiter });
  registerInstallScript(app, { version: services.version, logger: services.logger, dataDir: services.config.dataDir });
  agents.gateway.attach(app.server);

  // Framework-level failures (body too large, aborted upload) still answer in the API's format.
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const requestId = request.id;
    const tooLarge = error.code === 'FST_ERR_CTP_BODY_TOO_LARGE';
    const type = tooLarge || (error.statusCode ?? 500) < 500 ? 'SerializationException' : 'InternalServerError';
    if (type === 'InternalServerError') services.logger.error({ requestId, err: error }, 'HTTP layer error');
    reply
      .code(tooLarge ? 413 : type === 'InternalServerError' ? 500 : 400)
      .header('content-type', AMZ_JSON)
      .header('x-amzn-requestid', requestId)
      .header('x-amzn-errortype', type)
      .send(JSON.stringify({ __type: type, message: tooLarge ? 'Request body is larger than 1 MiB' : 'The request could not be read' }));
  });
  app.setNotFoundHandler((request, reply) => {
    reply
      .code(404)
      .header('content-type', AMZ_JSON)
      .header('x-amzn-requestid', request.id)
      .header('x-amzn-errortype', 'UnknownOperationException')
      .send(JSON.stringify({ __type: 'UnknownOperationException', message: `No route for ${request.method} ${request.url.split('?')[0]}; the API is POST /` }));
  });
  return app;
}
