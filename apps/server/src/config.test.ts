import { describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';

describe('loadConfig', () => {
  it('takes the environment when a flag is not given, and the flag over the environment', () => {
    const env = { TEND_PORT: '9100', TEND_HOST: '0.0.0.0', TEND_DATA_DIR: '/tmp/tend-env' };
    const fromEnv = loadConfig({ port: undefined, host: undefined, dataDir: undefined }, env);
    expect(fromEnv).toMatchObject({ port: 9100, host: '0.0.0.0', dataDir: '/tmp/tend-env' });
    expect(loadConfig({ port: 9200 }, env).port).toBe(9200);
  });

  it('names the variable that is wrong', () => {
    expect(() => loadConfig({}, { TEND_ACCOUNT_ID: '12' })).toThrow(/accountId: TEND_ACCOUNT_ID must be 12 digits/);
    expect(() => loadConfig({}, { TEND_ROOT_ACCESS_KEY_ID: 'AKIAABCDEFGHIJKLMNOP' })).toThrow(/set both/);
  });
});
