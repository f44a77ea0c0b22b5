import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateIdentity, loadPrivateKey, signChallenge } from './identity.js';
import { readState, stateFilePath, writeState, type AgentState } from './state.js';
import { createPublicKey, verify } from 'node:crypto';
import { authChallengeText } from '@tend/protocol';

const dirs: string[] = [];
function scratch(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-agent-state-'));
  dirs.push(dir);
  return dir;
}
afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

function sampleState(): AgentState {
  const identity = generateIdentity();
  return { instanceId: 'mi-0123456789abcdef0', serverUrl: 'http://127.0.0.1:8700', privateKey: identity.privateKeyPem, publicKey: identity.publicKey };
}

describe('agent state', () => {
  it('is absent until written, then round-trips', async () => {
    const dir = path.join(scratch(), 'state');
    expect(await readState(dir)).toBeUndefined();
    const state = sampleState();
    await writeState(dir, state);
    expect(await readState(dir)).toEqual(state);
  });

  it('keeps the dir and the file private to the owner, even under a permissive umask', async () => {
    const dir = path.join(scratch(), 'nested', 'state');
    const previous = process.umask(0o000);
    try {
      await writeState(dir, sampleState());
    } finally {
      process.umask(previous);
    }
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
    expect(fs.statSync(stateFilePath(dir)).mode & 0o777).toBe(0o600);
  });

  it('tightens an existing state dir', async () => {
    const dir = scratch();
    fs.chmodSync(dir, 0o755);
    await writeState(dir, sampleState());
    expect(fs.statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('replaces the file by rename, leaving no temp files and never a partial file', async () => {
    const dir = scratch();
    const first = sampleState();
    await writeState(dir, first);
    const inodeBefore = fs.statSync(stateFilePath(dir)).ino;
    const second = { ...first, serverUrl: 'http://10.0.0.1:8700' };
    await writeState(dir, second);
    expect(fs.statSync(stateFilePath(dir)).ino).not.toBe(inodeBefore);
    expect(fs.readdirSync(dir)).toEqual(['state.json']);
    expect(await readState(dir)).toEqual(second);
  });

  it('accepts a state without instance id (key saved, registration pending)', async () => {
    const dir = scratch();
    const { instanceId: _, ...pending } = sampleState();
    await writeState(dir, pending);
    expect((await readState(dir))?.instanceId).toBeUndefined();
  });

  it('refuses a corrupt or foreign file with a message naming it', async () => {
    const dir = scratch();
    fs.writeFileSync(stateFilePath(dir), '{"instanceId": "mi-0123');
    await expect(readState(dir)).rejects.toThrow(/state\.json is not valid JSON/);
    fs.writeFileSync(stateFilePath(dir), JSON.stringify({ instanceId: 'i-123', serverUrl: 'x' }));
    await expect(readState(dir)).rejects.toThrow(/not a Tend agent state file.*instanceId/);
  });

  it('refuses to write an invalid state', async () => {
    const dir = scratch();
    await expect(writeState(dir, { ...sampleState(), instanceId: 'nope' })).rejects.toThrow();
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

describe('identity', () => {
  it('signs the challenge text so the public key it registered verifies it', () => {
    const identity = generateIdentity();
    const key = loadPrivateKey(identity.privateKeyPem);
    const signature = signChallenge(key, 'mi-0123456789abcdef0', 'nonce-nonce-nonce-1');
    const publicKey = createPublicKey({ key: Buffer.from(identity.publicKey, 'base64'), format: 'der', type: 'spki' });
    const text = Buffer.from(authChallengeText('mi-0123456789abcdef0', 'nonce-nonce-nonce-1'));
    expect(verify(null, text, publicKey, Buffer.from(signature, 'base64'))).toBe(true);
    expect(verify(null, Buffer.from(authChallengeText('mi-0123456789abcdef1', 'nonce-nonce-nonce-1')), publicKey, Buffer.from(signature, 'base64'))).toBe(false);
  });

  it('rejects a key that is not Ed25519', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    expect(() => loadPrivateKey(privateKey.export({ format: 'pem', type: 'pkcs8' }).toString())).toThrow(/Ed25519/);
  });
});
