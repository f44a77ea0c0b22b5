import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import type { TestServer } from '../../testing/test-server.js';

/** A request a test receiver got. */
export interface ReceivedRequest {
  headers: http.IncomingHttpHeaders;
  body: string;
  at: number;
}

/** What a test receiver answers to its n-th request (1-based): a status, or 'hang' to never answer. */
export type Responder = (n: number, request: ReceivedRequest) => number | 'hang';

export interface TestReceiver {
  url: string;
  requests: ReceivedRequest[];
  /** Changes the answers from now on. */
  respond(responder: Responder): void;
  close(): Promise<void>;
}

/** A real HTTP server on 127.0.0.1 that records every POST and answers as told (200 by default). */
export async function startReceiver(responder: Responder = () => 200, port = 0): Promise<TestReceiver> {
  const requests: ReceivedRequest[] = [];
  let answer = responder;
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const request = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), at: Date.now() };
      requests.push(request);
      const status = answer(requests.length, request);
      if (status === 'hang') return;
      res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'nope');
    });
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const address = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${address.port}/hook`,
    requests,
    respond(next) {
      answer = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export interface ReceivedMail {
  from: string | undefined;
  to: string[];
  raw: string;
}

/** An SMTP server on 127.0.0.1 (smtp-server, plain, no auth) that keeps every message. */
export async function startSmtpSink(): Promise<{ url: string; messages: ReceivedMail[]; close(): Promise<void> }> {
  const messages: ReceivedMail[] = [];
  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        messages.push({
          from: session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined,
          to: session.envelope.rcptTo.map((r) => r.address),
          raw: Buffer.concat(chunks).toString('utf8'),
        });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Polls `check` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs = 10_000, what = 'condition'): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** A DeliveryPolicy attribute with short delays, for tests of retries. */
export function retryPolicy(minDelayTarget: number, maxDelayTarget: number, numRetries: number): string {
  return JSON.stringify({ healthyRetryPolicy: { minDelayTarget, maxDelayTarget, numRetries, backoffFunction: 'exponential' } });
}

/** Creates a topic and answers its ARN. */
export async function createTopic(t: TestServer, name: string): Promise<string> {
  const { TopicArn } = await t.api.tend('CreateTopic', { Name: name });
  return TopicArn;
}

/** The deliveries of one message, waiting until each has reached one of `statuses`. */
export async function settledDeliveries(t: TestServer, messageId: string, count: number, statuses = ['Delivered', 'Failed'], timeoutMs = 15_000) {
  return waitFor(
    async () => {
      const { Deliveries } = await t.api.tend('ListDeliveries', { MessageId: messageId });
      return Deliveries.length === count && Deliveries.every((d: { Status: string }) => statuses.includes(d.Status)) ? (Deliveries as any[]) : undefined;
    },
    timeoutMs,
    `${count} deliveries of ${messageId} to reach ${statuses.join('/')}`,
  );
}
