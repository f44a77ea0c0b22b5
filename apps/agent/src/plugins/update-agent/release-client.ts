import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import { AGENT_RELEASES_PATH, agentReleaseListSchema, agentReleasePath, type AgentRelease, type AgentReleaseList } from '@tend/protocol';
import { serverEndpoint } from '../../registration.js';

/** Larger than any agent bundle (about 1 MB): a bound on what a download may write to disk. */
const MAX_BUNDLE_BYTES = 64 * 1024 * 1024;

/** GET /agent/releases from the agent's server. */
export async function fetchReleases(serverUrl: string, signal: AbortSignal): Promise<AgentReleaseList> {
  const url = serverEndpoint(serverUrl, AGENT_RELEASES_PATH);
  const response = await fetch(url, { signal });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  const parsed = agentReleaseListSchema.safeParse(await response.json());
  if (!parsed.success) throw new Error(`GET ${url} answered with an unexpected listing (${parsed.error.issues[0]?.message})`);
  return parsed.data;
}

/**
 * Downloads `release` to `file` (created, never overwritten) and checks its
 * SHA-256 against the listing. The file is flushed to disk before this
 * resolves, so a rename of it survives a power loss whole.
 */
export async function downloadRelease(serverUrl: string, release: AgentRelease, file: string, signal: AbortSignal): Promise<void> {
  // The path is derived from the version, not taken from the listing: the download stays on this server's release routes.
  const url = serverEndpoint(serverUrl, agentReleasePath(release.version));
  const response = await fetch(url, { signal });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > MAX_BUNDLE_BYTES) throw new Error(`GET ${url} offers ${declared} bytes, more than an agent bundle can be`);
  const code = Buffer.from(await response.arrayBuffer());
  if (code.length > MAX_BUNDLE_BYTES) throw new Error(`GET ${url} sent more than ${MAX_BUNDLE_BYTES} bytes`);
  const sha256 = createHash('sha256').update(code).digest('hex');
  if (sha256 !== release.sha256) {
    throw new Error(`the download of ${release.version} is damaged: its SHA-256 is ${sha256}, the server lists ${release.sha256}`);
  }
  const handle = await fs.open(file, 'wx', 0o644);
  try {
    await handle.writeFile(code);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** What `node <file> --version` prints: the version a bundle says it is, proving it at least loads. */
export function bundleVersion(node: string, file: string, signal: AbortSignal, timeoutMs = 20_000): Promise<string> {
  return new Promise((resolve, reject) => {
    // No environment beyond PATH: the check must not see the agent's settings (or an activation code).
    execFile(node, [file, '--version'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin' }, timeout: timeoutMs, signal, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) {
        const detail = (stderr || err.message).trim().split('\n').slice(-3).join(' ');
        reject(new Error(`\`node ${file} --version\` failed: ${detail}`));
      } else {
        resolve(stdout.trim());
      }
    });
  });
}
