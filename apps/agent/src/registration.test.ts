import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { REGISTER_ERROR_CODES, type NodeInfo } from '@tend/protocol';
import { ensureRegistered, registerNode, RegistrationRefusedError, serverEndpoint } from './registration.js';
import { readState, writeState } from './state.js';
import { startFakeGateway, type FakeGateway } from './testing/fake-gateway.js';
import { generateIdentity } from './identity.js';

const INFO: NodeInfo = {
  computerName: 'host-1',
  ipAddress: '10.0.0.1',
  platformType: 'Linux',
  platformName: 'Debian GNU/Linux',
  platformVersion: '12',
  agentVersion: '0.1.0',
};

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});
async function gateway(): Promise<FakeGateway> {
  const g = await startFakeGateway();
  cleanups.push(() => g.close());
  return g;
}
function scratch(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-agent-reg-'));
  cleanups.push(() => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

describe('serverEndpoint', () => {
  it('joins paths whatever the trailing slash and keeps a proxy prefix', () => {
    expect(serverEndpoint('http://h:8700', '/agent/v1/register')).toBe('http://h:8700/agent/v1/register');
    expect(serverEndpoint('http://h:8700/', '/agent/v1')).toBe('http://h:8700/agent/v1');
    expect(serverEndpoint('https://h/tend/', '/agent/v1')).toBe('https://h/tend/agent/v1');
  });
});

describe('registration', () => {
  it('registers on the first start, saves the id, and never registers (or sends the code) again', async () => {
    const g = await gateway();
    const stateDir = path.join(scratch(), 'state');
    const options = { stateDir, serverUrl: g.url, activationId: 'act-1', activationCode: 'secret-code', name: 'web-1', info: () => INFO };
    const first = await ensureRegistered(options);
    expect(first.registeredNow).toBe(true);
    expect(first.instanceId).toMatch(/^mi-[0-9a-f]{17}$/);
    expect(g.registrations).toEqual([{ activationId: 'act-1', activationCode: 'secret-code', publicKey: first.publicKey, name: 'web-1', info: INFO }]);
    const saved = fs.readFileSync(path.join(stateDir, 'state.json'), 'utf8');
    expect(saved).not.toContain('secret-code');

    const second = await ensureRegistered(options);
    expect(second).toMatchObject({ registeredNow: false, instanceId: first.instanceId, publicKey: first.publicKey });
    expect(g.registrations).toHaveLength(1);
  });

  it('reuses the key saved before a registration that did not finish', async () => {
    const g = await gateway();
    const stateDir = scratch();
    const identity = generateIdentity();
    await writeState(stateDir, { serverUrl: g.url, privateKey: identity.privateKeyPem, publicKey: identity.publicKey });
    const state = await ensureRegistered({ stateDir, serverUrl: g.url, activationId: 'a', activationCode: 'c', info: () => INFO });
    expect(state.publicKey).toBe(identity.publicKey);
    expect(g.registrations[0].publicKey).toBe(identity.publicKey);
  });

  it('names the flags a first start needs', async () => {
    await expect(ensureRegistered({ stateDir: scratch(), info: () => INFO })).rejects.toThrow(
      /holds no registered node yet: --server, --activation-id, --activation-code are needed/,
    );
  });

  it.each([
    [REGISTER_ERROR_CODES.invalid, /activation act-9 was refused: no such activation\. Check the activation id and code/],
    [REGISTER_ERROR_CODES.expired, /activation act-9 has expired: expired at .*Create a new activation/],
    [REGISTER_ERROR_CODES.limitReached, /activation act-9 has reached its registration limit: .*higher registration limit/],
    ['SomethingElse', /the server refused to register this node \(SomethingElse\): nope/],
  ])('explains a %s refusal and keeps no registered state', async (code, message) => {
    const g = await gateway();
    const serverMessage = { InvalidActivation: 'no such activation', ActivationExpired: 'expired at 2026-01-01', RegistrationLimitExceeded: 'limit 1 reached' }[code] ?? 'nope';
    g.registerAnswer = () => ({ status: 400, body: { __type: code, message: serverMessage } });
    const stateDir = scratch();
    const attempt = ensureRegistered({ stateDir, serverUrl: g.url, activationId: 'act-9', activationCode: 'c0de', info: () => INFO });
    await expect(attempt).rejects.toThrow(RegistrationRefusedError);
    await expect(attempt).rejects.toThrow(message);
    await attempt.catch((err: Error) => expect(err.message).not.toContain('c0de'));
    expect((await readState(stateDir))?.instanceId).toBeUndefined();
  });

  it('retries 5xx answers and unreachable servers with backoff', async () => {
    const g = await gateway();
    let calls = 0;
    const fallback = g.registerAnswer;
    g.registerAnswer = (req) => (++calls < 3 ? { status: 503, body: {} } : fallback(req));
    const id = await registerNode({ serverUrl: g.url, activationId: 'a', activationCode: 'c', publicKey: 'k', info: INFO, backoff: { baseMs: 10 } });
    expect(id).toMatch(/^mi-/);
    expect(calls).toBe(3);

    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const unreachable = registerNode({ serverUrl: 'http://127.0.0.1:9', activationId: 'a', activationCode: 'c', publicKey: 'k', info: INFO, backoff: { baseMs: 10 }, signal: controller.signal });
    await expect(unreachable).rejects.toThrow(/abort/i);
  });

  it('waits as long as a throttling answer says, then tries again', async () => {
    const g = await gateway();
    const fallback = g.registerAnswer;
    let calls = 0;
    const times: number[] = [];
    g.registerAnswer = (req) => {
      times.push(Date.now());
      return ++calls === 1 ? { status: 400, body: { __type: REGISTER_ERROR_CODES.throttled, message: 'slow down' }, headers: { 'retry-after': '1' } } : fallback(req);
    };
    const id = await registerNode({ serverUrl: g.url, activationId: 'a', activationCode: 'c', publicKey: 'k', info: INFO, backoff: { baseMs: 10 } });
    expect(id).toMatch(/^mi-/);
    expect(times[1] - times[0]).toBeGreaterThanOrEqual(950);
  });

  it('refuses a 200 answer without a valid instance id', async () => {
    const g = await gateway();
    g.registerAnswer = () => ({ status: 200, body: { instanceId: 'i-123' } });
    await expect(registerNode({ serverUrl: g.url, activationId: 'a', activationCode: 'c', publicKey: 'k', info: INFO })).rejects.toThrow(/without a valid instance id/);
  });
});

describe('server URL', () => {
  it('must be http(s)', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-agent-reg-'));
    try {
      await expect(ensureRegistered({ stateDir: dir, serverUrl: '127.0.0.1:8700', activationId: 'a', activationCode: 'c', info: () => INFO })).rejects.toThrow(
        /--server must be an http:\/\/ or https:\/\/ URL/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
