import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { startFakeGateway, type FakeGateway } from '../testing/fake-gateway.js';
import { eventually } from '../testing/eventually.js';
import { platformFor, selectPlatforms, SIM_PLATFORMS } from './platforms.js';
import { parseTagSpecs, tagsFor } from './sim-tags.js';
import { runSimulator, simIpAddress, simNodeDir, type SimProgress } from './simulator.js';

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('sim tags', () => {
  it('gives fixed tags to every node and hands out alternatives in turn', () => {
    const specs = parseTagSpecs(['Env=demo', 'Role=web|db|worker', 'Empty=']);
    expect(tagsFor(1, specs)).toEqual([{ Key: 'Env', Value: 'demo' }, { Key: 'Role', Value: 'web' }, { Key: 'Empty', Value: '' }]);
    expect(tagsFor(2, specs)[1].Value).toBe('db');
    expect(tagsFor(4, specs)[1].Value).toBe('web');
  });

  it('explains malformed tags', () => {
    expect(() => parseTagSpecs(['novalue'])).toThrow(/expected Key=Value/);
    expect(() => parseTagSpecs(['=x'])).toThrow(/expected Key=Value/);
    expect(() => parseTagSpecs(['aws:x=1'])).toThrow(/reserved/);
    expect(() => parseTagSpecs(['a=1', 'a=2'])).toThrow(/given twice/);
  });
});

describe('sim platforms', () => {
  it('draws a stable, weighted mix of every platform', () => {
    const counts = new Map<string, number>();
    for (let i = 1; i <= 10_000; i++) {
      const key = platformFor(i, SIM_PLATFORMS).key;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    const total = SIM_PLATFORMS.reduce((s, p) => s + p.weight, 0);
    for (const platform of SIM_PLATFORMS) {
      expect(counts.get(platform.key)! / 10_000).toBeCloseTo(platform.weight / total, 1);
    }
    expect(platformFor(42, SIM_PLATFORMS)).toBe(platformFor(42, SIM_PLATFORMS));
  });

  it('restricts to the named platforms and lists the valid ones for a typo', () => {
    const only = selectPlatforms(['debian-12']);
    expect(new Set(Array.from({ length: 100 }, (_, i) => platformFor(i, only).platformName))).toEqual(new Set(['Debian GNU/Linux']));
    expect(() => selectPlatforms(['ubuntu-20.04'])).toThrow(/one of: ubuntu-22.04, ubuntu-24.04/);
  });

  it('gives every node its own address', () => {
    const addresses = new Set(Array.from({ length: 99_999 }, (_, i) => simIpAddress(i + 1)));
    expect(addresses.size).toBe(99_999);
  });
});

describe('simulator', () => {
  async function run(g: FakeGateway, stateDir: string, nodes: number, extra: { activations?: Array<{ id: string; code: string }> } = {}) {
    const controller = new AbortController();
    const progress: SimProgress[] = [];
    const done = runSimulator({
      serverUrl: g.url,
      activations: extra.activations ?? [{ id: 'act-1', code: 'code-1' }],
      nodes,
      stateDir,
      tags: parseTagSpecs(['Env=sim', 'Role=web|db']),
      concurrency: 10,
      signal: controller.signal,
      onProgress: (p) => progress.push(p),
      progressIntervalMs: 50,
    });
    cleanups.push(async () => {
      controller.abort();
      await done.catch(() => {});
    });
    return { controller, done, progress };
  }

  it('runs each node with its own identity and connection, and reuses them after a restart', async () => {
    const g = await startFakeGateway();
    cleanups.push(() => g.close());
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-sim-'));
    cleanups.push(() => fs.rmSync(stateDir, { recursive: true, force: true }));

    const first = await run(g, stateDir, 30, { activations: [{ id: 'act-1', code: 'code-1' }, { id: 'act-2', code: 'code-2' }] });
    await eventually('30 online', () => g.sockets.size === 30);
    await eventually('progress reported', () => first.progress.at(-1)?.online === 30);
    expect(new Set(g.registrations.map((r) => r.publicKey)).size).toBe(30);
    // Split evenly among the activations, in order.
    expect(g.registrations.filter((r) => r.activationId === 'act-1')).toHaveLength(15);
    const node7 = g.registrations.find((r) => r.name === 'sim-00007')!;
    expect(node7.tags).toEqual([{ Key: 'Env', Value: 'sim' }, { Key: 'Role', Value: 'web' }]);
    expect(node7.info).toMatchObject({ computerName: 'sim-00007', ipAddress: simIpAddress(7), platformType: 'Linux' });
    expect(fs.statSync(path.join(simNodeDir(stateDir, 7), 'state.json')).mode & 0o777).toBe(0o600);

    first.controller.abort();
    const summary = await first.done;
    expect(summary).toMatchObject({ total: 30, registered: 30, online: 0, refused: 0 });
    await eventually('all closed', () => g.sockets.size === 0);

    const second = await run(g, stateDir, 30);
    await eventually('30 online again', () => g.sockets.size === 30);
    expect(g.registrations).toHaveLength(30);
    second.controller.abort();
    await second.done;
  });

  it('tries a wrong activation code once, not once per worker', async () => {
    const g = await startFakeGateway();
    cleanups.push(() => g.close());
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-sim-'));
    cleanups.push(() => fs.rmSync(stateDir, { recursive: true, force: true }));
    g.registerAnswer = () => ({ status: 400, body: { __type: 'InvalidActivation', message: 'no such activation' } });
    const sim = await run(g, stateDir, 40);
    const summary = await sim.done;
    expect(g.registrations).toHaveLength(1);
    expect(summary).toMatchObject({ registered: 0, refused: 40 });
  });

  it('stops registering with an activation the server refused, and reports it', async () => {
    const g = await startFakeGateway();
    cleanups.push(() => g.close());
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-sim-'));
    cleanups.push(() => fs.rmSync(stateDir, { recursive: true, force: true }));
    const fallback = g.registerAnswer;
    g.registerAnswer = (req) =>
      g.registrations.length > 5 ? { status: 400, body: { __type: 'RegistrationLimitExceeded', message: 'limit 5 reached' } } : fallback(req);
    const sim = await run(g, stateDir, 20);
    await eventually('5 online', () => g.sockets.size === 5);
    await eventually('refusals counted', () => sim.progress.at(-1)?.refused === 15);
    // Once the activation is refused, its other nodes are not sent at all (in-flight ones aside).
    expect(g.registrations.length).toBeLessThanOrEqual(5 + 10);
    sim.controller.abort();
    const summary = await sim.done;
    expect(summary.refusals).toEqual([expect.stringMatching(/activation act-1 has reached its registration limit: limit 5 reached/)]);
  });
});
