import { createHash } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GetParameterCommand } from '@aws-sdk/client-ssm';
import { agentReleaseListSchema } from '@tend/protocol';
import { startTestServer, type TestServer } from '../testing/test-server.js';
import { TEND_VERSION } from '../version.js';

const sha256 = (bytes: Buffer | string) => createHash('sha256').update(bytes).digest('hex');

// The releases the agent updates from (AWS-UpdateSSMAgent): the server's own bundle plus what an operator adds.
describe('agent releases (GET /agent/releases, /agent/releases/<version>/tend-agent.cjs, /agent/tend-agent.cjs)', () => {
  let t: TestServer;
  let releasesDir: string;
  const add = (version: string, code: string) => {
    fs.mkdirSync(path.join(releasesDir, version), { recursive: true });
    fs.writeFileSync(path.join(releasesDir, version, 'tend-agent.cjs'), code);
  };
  const list = async () => {
    const response = await fetch(`${t.url}/agent/releases`);
    expect(response.status).toBe(200);
    return agentReleaseListSchema.parse(await response.json());
  };
  const bundle = async (urlPath: string) => {
    const response = await fetch(`${t.url}${urlPath}`);
    return { status: response.status, headers: response.headers, body: Buffer.from(await response.arrayBuffer()) };
  };

  beforeAll(async () => {
    t = await startTestServer('sqlite');
    releasesDir = path.join(t.dataDir, 'agent-releases');
  });
  afterAll(() => t?.close());

  it('lists the bundle of the server’s own sources alone while no release was added, and serves it with its hash', async () => {
    const listing = await list();
    expect(listing.latest).toBe(TEND_VERSION);
    expect(listing.releases).toHaveLength(1);
    const [own] = listing.releases;
    expect(own).toMatchObject({ version: TEND_VERSION, path: `/agent/releases/${TEND_VERSION}/tend-agent.cjs` });

    const byVersion = await bundle(own!.path);
    expect(byVersion.status).toBe(200);
    expect(sha256(byVersion.body)).toBe(own!.sha256);
    expect(byVersion.body.length).toBe(own!.size);
    expect(byVersion.headers.get('x-tend-agent-version')).toBe(TEND_VERSION);
    expect(byVersion.headers.get('x-tend-agent-sha256')).toBe(own!.sha256);
    const newest = await bundle('/agent/tend-agent.cjs');
    expect(newest.body.equals(byVersion.body)).toBe(true);
  });

  it('adds the releases an operator puts in <data dir>/agent-releases, newest first, and ignores what is not a release', async () => {
    add('0.10.0', '// agent 0.10.0\n');
    add('0.2.0', '// agent 0.2.0\n');
    add('0.2.0-rc.1', '// agent 0.2.0-rc.1\n');
    add('0.0.1', '// agent 0.0.1\n');
    add('latest', '// not a version\n');
    fs.mkdirSync(path.join(releasesDir, '0.3.0')); // no bundle in it
    add(TEND_VERSION, '// pretends to be the server’s own version\n');
    try {
      const listing = await list();
      expect(listing.releases.map((r) => r.version)).toEqual(['0.10.0', '0.2.0', '0.2.0-rc.1', TEND_VERSION, '0.0.1']);
      expect(listing.latest).toBe('0.10.0');
      expect(listing.releases[0]).toEqual({ version: '0.10.0', sha256: sha256('// agent 0.10.0\n'), size: 16, path: '/agent/releases/0.10.0/tend-agent.cjs' });

      const added = await bundle('/agent/releases/0.2.0-rc.1/tend-agent.cjs');
      expect(added.body.toString()).toBe('// agent 0.2.0-rc.1\n');
      expect(added.headers.get('x-tend-agent-sha256')).toBe(sha256('// agent 0.2.0-rc.1\n'));
      // install.sh takes the newest.
      const newest = await bundle('/agent/tend-agent.cjs');
      expect(newest.body.toString()).toBe('// agent 0.10.0\n');
      expect(newest.headers.get('x-tend-agent-version')).toBe('0.10.0');
      // The server's own version is always its own bundle, never a file claiming that number.
      const own = await bundle(`/agent/releases/${TEND_VERSION}/tend-agent.cjs`);
      expect(own.body.toString()).not.toContain('pretends');
      expect(listing.releases.find((r) => r.version === TEND_VERSION)!.sha256).toBe(sha256(own.body));

      // A replaced file is hashed again.
      add('0.10.0', '// agent 0.10.0, rebuilt\n');
      expect((await list()).releases[0]!.sha256).toBe(sha256('// agent 0.10.0, rebuilt\n'));
    } finally {
      fs.rmSync(releasesDir, { recursive: true, force: true });
    }
  });

  it('answers 404 for a version it does not hold, and never reads outside the releases dir', async () => {
    fs.writeFileSync(path.join(t.dataDir, 'tend-agent.cjs'), '// outside\n');
    for (const version of ['9.9.9', '..', '..%2F..', '%2E%2E', 'latest']) {
      // Sent as written: fetch would resolve the dots itself.
      const answer = await rawGet(t.url, `/agent/releases/${version}/tend-agent.cjs`);
      expect(answer.status, version).toBe(404);
      expect(answer.body).not.toContain('outside');
    }
    expect(JSON.parse((await bundle('/agent/releases/9.9.9/tend-agent.cjs')).body.toString()).message).toBe(
      'This server holds no agent release 9.9.9; GET /agent/releases lists them.',
    );
  });
});

/** GET with the path exactly as given. */
function rawGet(serverUrl: string, rawPath: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(serverUrl);
  return new Promise((resolve, reject) => {
    const request = http.get({ hostname, port, path: rawPath }, (response) => {
      let body = '';
      response.on('data', (c: Buffer) => (body += c.toString()));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
    });
    request.on('error', reject);
  });
}

describe('/tend/service/agent/latest-version', () => {
  it('names the newest release in the data dir when the server starts, not just its own version', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-releases-'));
    fs.mkdirSync(path.join(dataDir, 'agent-releases', '99.1.0'), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'agent-releases', '99.1.0', 'tend-agent.cjs'), '// a newer agent\n');
    // A directory without a bundle is not a release.
    fs.mkdirSync(path.join(dataDir, 'agent-releases', '100.0.0'));
    const t = await startTestServer('sqlite', { dataDir });
    try {
      const { Parameter } = await t.ssm.send(new GetParameterCommand({ Name: '/tend/service/agent/latest-version' }));
      expect(Parameter?.Value).toBe('99.1.0');
    } finally {
      await t.close();
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
