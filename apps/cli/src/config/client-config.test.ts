import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { credentialsFilePath, readCredentialsFile, resolveClientConfig } from './client-config.js';

describe('client configuration', () => {
  let dir: string;
  const writeFile = (rel: string, text: string) => {
    const file = path.join(dir, rel);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    return file;
  };
  const tendFile = (endpoint = 'http://127.0.0.1:9999', region = 'eu-west-3') =>
    writeFile(
      '.tend/credentials',
      `# comment\n[other]\naws_access_key_id = WRONG\n[default]\naws_access_key_id = AKIAFILE\naws_secret_access_key = file-secret\nregion = ${region}\nendpoint_url = ${endpoint}\n`,
    );

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-cli-config-'));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('uses defaults and environment credentials when there is no file', () => {
    const config = resolveClientConfig({ env: { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 'env-secret' }, cwd: dir });
    expect(config).toMatchObject({
      endpoint: 'http://127.0.0.1:8700',
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKIAENV', secretAccessKey: 'env-secret' },
    });
  });

  it('reads the [default] section of ./.tend/credentials, the file tend up writes', () => {
    tendFile();
    const config = resolveClientConfig({ env: {}, cwd: dir });
    expect(config).toMatchObject({
      endpoint: 'http://127.0.0.1:9999',
      region: 'eu-west-3',
      credentials: { accessKeyId: 'AKIAFILE', secretAccessKey: 'file-secret' },
    });
    expect(config.sources.credentials).toBe(path.join(dir, '.tend/credentials'));
  });

  it('ranks endpoint sources: flag, AWS_ENDPOINT_URL_SSM, AWS_ENDPOINT_URL, file', () => {
    tendFile();
    const env = { AWS_ENDPOINT_URL_SSM: 'http://ssm.example:1', AWS_ENDPOINT_URL: 'http://all.example:2' };
    expect(resolveClientConfig({ env, cwd: dir, endpointUrl: 'http://flag.example:3/' }).endpoint).toBe('http://flag.example:3');
    expect(resolveClientConfig({ env, cwd: dir }).endpoint).toBe('http://ssm.example:1');
    expect(resolveClientConfig({ env: { AWS_ENDPOINT_URL: 'http://all.example:2' }, cwd: dir }).endpoint).toBe('http://all.example:2');
  });

  it('ranks region sources: AWS_REGION, AWS_DEFAULT_REGION, file', () => {
    tendFile();
    expect(resolveClientConfig({ env: { AWS_REGION: 'ap-south-1', AWS_DEFAULT_REGION: 'sa-east-1' }, cwd: dir }).region).toBe('ap-south-1');
    expect(resolveClientConfig({ env: { AWS_DEFAULT_REGION: 'sa-east-1' }, cwd: dir }).region).toBe('sa-east-1');
  });

  it('prefers environment credentials over the file, and finds the file through TEND_DATA_DIR or TEND_CREDENTIALS_FILE', () => {
    tendFile();
    const env = { AWS_ACCESS_KEY_ID: 'AKIAENV', AWS_SECRET_ACCESS_KEY: 'env-secret' };
    expect(resolveClientConfig({ env, cwd: dir }).credentials.accessKeyId).toBe('AKIAENV');

    const elsewhere = writeFile('srv/data/credentials', '[default]\naws_access_key_id=AKIADATA\naws_secret_access_key=s\n');
    expect(resolveClientConfig({ env: { TEND_DATA_DIR: 'srv/data' }, cwd: dir }).credentials.accessKeyId).toBe('AKIADATA');
    expect(resolveClientConfig({ env: { TEND_CREDENTIALS_FILE: elsewhere }, cwd: '/' }).credentials.accessKeyId).toBe('AKIADATA');
    expect(credentialsFilePath({ TEND_CREDENTIALS_FILE: 'x/creds', TEND_DATA_DIR: 'ignored' }, dir)).toBe(path.join(dir, 'x/creds'));
  });

  it('says clearly when there are no credentials, without echoing any secret', () => {
    expect(() => resolveClientConfig({ env: {}, cwd: dir })).toThrowError(
      expect.objectContaining({ name: 'NoCredentials', message: expect.stringContaining('AWS_ACCESS_KEY_ID') }),
    );
    expect(() => resolveClientConfig({ env: { AWS_ACCESS_KEY_ID: 'AKIAONLY' }, cwd: dir })).toThrowError(
      expect.objectContaining({ name: 'IncompleteCredentials' }),
    );
    expect(() => resolveClientConfig({ env: { AWS_SECRET_ACCESS_KEY: 'do-not-print' }, cwd: dir })).toThrowError(
      expect.objectContaining({ message: expect.not.stringContaining('do-not-print') }),
    );
    expect(() => resolveClientConfig({ env: { TEND_CREDENTIALS_FILE: path.join(dir, 'nope') }, cwd: dir })).toThrowError(
      expect.objectContaining({ name: 'CredentialsFileError' }),
    );
  });

  it('rejects an endpoint that is not an http(s) URL', () => {
    const env = { AWS_ACCESS_KEY_ID: 'A', AWS_SECRET_ACCESS_KEY: 'B' };
    expect(() => resolveClientConfig({ env, cwd: dir, endpointUrl: 'localhost:8700' })).toThrowError(
      expect.objectContaining({ name: 'InvalidEndpoint' }),
    );
  });

  it('treats a missing file as absent and parses [profile default] too', () => {
    expect(readCredentialsFile(path.join(dir, 'none'))).toBeUndefined();
    const file = writeFile('config', '[profile default]\r\nregion=us-west-2\r\n');
    expect(readCredentialsFile(file)).toEqual({ region: 'us-west-2' });
  });
});
