import { z } from 'zod';

/**
 * Agent releases the server holds, for AWS-UpdateSSMAgent (issue 4): the
 * agent lists them, picks one and downloads it. Downloads are anonymous,
 * like install.sh's; the SHA-256 in the listing lets the agent check that
 * the file it got is the one listed (truncation, a proxy's mangling).
 */
export const AGENT_RELEASES_PATH = '/agent/releases';

/** Where one release's bundle is served. */
export function agentReleasePath(version: string): string {
  return `${AGENT_RELEASES_PATH}/${encodeURIComponent(version)}/tend-agent.cjs`;
}

/**
 * A release version: 1.2, 1.2.3 or 1.2.3.4 with an optional pre-release
 * suffix (1.3.0-rc.1). The same shape AWS-UpdateSSMAgent's `version`
 * parameter allows, and safe as a directory and URL path segment.
 */
export const AGENT_RELEASE_VERSION = /^[0-9]+(\.[0-9]+){1,3}(-[0-9A-Za-z.]+)?$/;

export const agentReleaseSchema = z.object({
  version: z.string().regex(AGENT_RELEASE_VERSION),
  /** Hex SHA-256 of the bundle. */
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
  /** Path on the server to GET the bundle from. */
  path: z.string(),
});
export type AgentRelease = z.infer<typeof agentReleaseSchema>;

/** GET /agent/releases: newest first; `latest` is the first one's version. */
export const agentReleaseListSchema = z.object({
  latest: z.string(),
  releases: z.array(agentReleaseSchema).min(1),
});
export type AgentReleaseList = z.infer<typeof agentReleaseListSchema>;

/**
 * Orders versions as semantic versioning does: numeric parts compared as
 * numbers (a missing part is 0), and a pre-release before its release
 * (1.3.0-rc.1 < 1.3.0). Negative when a < b, 0 when equal, positive when a > b.
 */
export function compareVersions(a: string, b: string): number {
  const [coreA, preA] = splitVersion(a);
  const [coreB, preB] = splitVersion(b);
  for (let i = 0; i < Math.max(coreA.length, coreB.length); i++) {
    const diff = (coreA[i] ?? 0) - (coreB[i] ?? 0);
    if (diff !== 0) return Math.sign(diff);
  }
  if (preA === undefined || preB === undefined) return preA === preB ? 0 : preA === undefined ? 1 : -1;
  const idsA = preA.split('.');
  const idsB = preB.split('.');
  for (let i = 0; i < Math.max(idsA.length, idsB.length); i++) {
    const x = idsA[i];
    const y = idsB[i];
    if (x === undefined || y === undefined) return x === undefined ? -1 : 1;
    if (x === y) continue;
    const numeric = /^[0-9]+$/;
    if (numeric.test(x) && numeric.test(y)) return Math.sign(Number(x) - Number(y));
    // Numeric identifiers sort before alphanumeric ones.
    if (numeric.test(x) !== numeric.test(y)) return numeric.test(x) ? -1 : 1;
    return x < y ? -1 : 1;
  }
  return 0;
}

function splitVersion(version: string): [number[], string | undefined] {
  const dash = version.indexOf('-');
  const core = dash === -1 ? version : version.slice(0, dash);
  return [core.split('.').map((part) => Number(part) || 0), dash === -1 ? undefined : version.slice(dash + 1)];
}
