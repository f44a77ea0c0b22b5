import { describe, expect, it } from 'vitest';
import { checkEndpoint, displayEndpoint, parseProtocol } from './endpoints.js';

describe('subscription endpoints', () => {
  it('masks what may be a credential in listings', () => {
    expect(displayEndpoint('https', 'https://u:pw@example.com:8443/a/b?token=t')).toBe('https://u:****@example.com:8443/a/b?****');
    expect(displayEndpoint('http', 'http://10.0.0.1/hook')).toBe('http://10.0.0.1/hook');
    expect(displayEndpoint('slack', 'https://hooks.slack.com/services/T1/B2/secret')).toBe('https://hooks.slack.com/****');
    expect(displayEndpoint('email', 'ops@example.com')).toBe('ops@example.com');
  });

  it('accepts protocols in any case and refuses others by name', () => {
    expect(parseProtocol('HTTPS')).toBe('https');
    expect(() => parseProtocol('lambda')).toThrow('lambda is not supported by Tend');
  });

  it('never echoes a refused endpoint', () => {
    expect(() => checkEndpoint('https', 'http://u:topsecret@example.com/')).toThrow(expect.objectContaining({ message: expect.not.stringContaining('topsecret') }));
    expect(() => checkEndpoint('slack', 'http://chat.internal/hooks/x')).not.toThrow();
  });
});
