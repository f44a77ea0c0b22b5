import { describe, expect, it } from 'vitest';
import { AGENT_RELEASE_VERSION, compareVersions } from './agent-releases.js';

describe('compareVersions', () => {
  it('orders as semantic versioning does', () => {
    const sorted = ['0.1.0', '0.10.0', '0.2.0', '1.0.0', '1.0.0-rc.1', '1.0.0-rc.10', '1.0.0-rc.2', '1.0.0-beta', '1.0.0-1', '0.9', '1.0.0.1'].sort(compareVersions);
    expect(sorted).toEqual(['0.1.0', '0.2.0', '0.9', '0.10.0', '1.0.0-1', '1.0.0-beta', '1.0.0-rc.1', '1.0.0-rc.2', '1.0.0-rc.10', '1.0.0', '1.0.0.1']);
    expect(compareVersions('1.2', '1.2.0')).toBe(0);
    expect(compareVersions('2.0.0', '10.0.0')).toBeLessThan(0);
  });

  it('accepts the versions AWS-UpdateSSMAgent accepts, and nothing that could leave a path segment', () => {
    for (const ok of ['1.2', '1.2.3', '1.2.3.4', '1.3.0-rc.1']) expect(AGENT_RELEASE_VERSION.test(ok), ok).toBe(true);
    for (const bad of ['', '1', 'latest', '../1.2', '1.2/3', '1.2.3.4.5', '1.2-', ' 1.2']) expect(AGENT_RELEASE_VERSION.test(bad), bad).toBe(false);
  });
});
