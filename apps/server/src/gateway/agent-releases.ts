import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { FastifyInstance, FastifyReply } from 'fastify';
import type { Logger } from 'pino';
import { AGENT_RELEASES_PATH, AGENT_RELEASE_VERSION, agentReleasePath, compareVersions, type AgentReleaseList } from '@tend/protocol';
import { agentBundle } from './install-script-bundle.js';

/** Under the data dir: `<version>/tend-agent.cjs` for each release an operator adds. */
export const AGENT_RELEASES_DIR_NAME = 'agent-releases';
/** GET: the newest release (what install.sh downloads). */
export const AGENT_BUNDLE_PATH = '/agent/tend-agent.cjs';
const BUNDLE_FILE_NAME = 'tend-agent.cjs';

/** One release with its bytes, as served. */
export interface AgentReleaseFile {
  version: string;
  sha256: string;
  code: Buffer;
  /** `built`: bundled by this server from its own sources; `added`: a file in the releases dir. */
  origin: 'built' | 'added';
}

interface Listed {
  version: string;
  sha256: string;
  size: number;
  origin: 'built' | 'added';
  /** For an added release: its file. */
  file?: string;
}

export interface AgentReleasesOptions {
  /** This server's version: the release it bundles itself. */
  version: string;
  dataDir: string;
  logger: Logger;
}

/**
 * The agent releases this server holds: the one it bundles from its own
 * sources (its own version), plus any an operator puts in
 * `<data dir>/agent-releases/<version>/tend-agent.cjs`. The directory is read
 * on every request, so a release added or removed needs no restart; hashes
 * are kept per file (size, mtime, inode) so a listing reads no bundle twice.
 * The server never runs an added file: the agent checks it (SHA-256, and
 * `--version` must print the version it was listed as) before using it.
 */
export class AgentReleases {
  readonly dir: string;
  private readonly hashes = new Map<string, { key: string; sha256: string }>();
  private readonly warned = new Set<string>();

  constructor(private readonly options: AgentReleasesOptions) {
    this.dir = path.join(options.dataDir, AGENT_RELEASES_DIR_NAME);
  }

  /** Every release, newest first. */
  async list(): Promise<Listed[]> {
    const built = await agentBundle(this.options.version);
    const releases: Listed[] = [{ version: built.version, sha256: built.sha256, size: built.code.length, origin: 'built' }];
    for (const added of await this.added()) {
      if (added.version === built.version) {
        // The server's own sources define its own version; a file claiming the same number is a mistake.
        this.warnOnce(added.file, 'ignoring an added agent release with the server’s own version; the server serves the bundle of its sources', { file: added.file });
        continue;
      }
      releases.push(added);
    }
    return releases.sort((a, b) => compareVersions(b.version, a.version));
  }

  /** One release's bytes, or undefined when the server holds no such version. */
  async get(version: string): Promise<AgentReleaseFile | undefined> {
    if (version === this.options.version) {
      const built = await agentBundle(version);
      return { version, sha256: built.sha256, code: built.code, origin: 'built' };
    }
    if (!AGENT_RELEASE_VERSION.test(version)) return undefined;
    const file = path.join(this.dir, version, BUNDLE_FILE_NAME);
    let code: Buffer;
    try {
      code = await fs.readFile(file);
    } catch (err) {
      if (['ENOENT', 'ENOTDIR', 'EISDIR'].includes((err as NodeJS.ErrnoException).code ?? '')) return undefined;
      throw err;
    }
    return { version, sha256: sha256(code), code, origin: 'added' };
  }

  /** The newest release's bytes. */
  async newest(): Promise<AgentReleaseFile> {
    const [first] = await this.list();
    // A release removed between the listing and the read: fall back to the one that is always there.
    return (await this.get(first!.version)) ?? (await this.get(this.options.version))!;
  }

  private async added(): Promise<Array<Listed & { file: string }>> {
    let names: string[];
    try {
      names = await fs.readdir(this.dir);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw err;
    }
    const out: Array<Listed & { file: string }> = [];
    for (const name of names) {
      const file = path.join(this.dir, name, BUNDLE_FILE_NAME);
      if (!AGENT_RELEASE_VERSION.test(name)) {
        this.warnOnce(file, 'ignoring an entry of the agent releases dir whose name is not a version such as 1.2.3', { entry: path.join(this.dir, name) });
        continue;
      }
      let stat;
      try {
        stat = await fs.stat(file);
      } catch {
        this.warnOnce(file, 'ignoring an agent release dir without a tend-agent.cjs', { file });
        continue;
      }
      if (!stat.isFile()) continue;
      const key = `${stat.size}:${stat.mtimeMs}:${stat.ino}`;
      let hash = this.hashes.get(file);
      if (hash?.key !== key) {
        hash = { key, sha256: sha256(await fs.readFile(file)) };
        this.hashes.set(file, hash);
      }
      out.push({ version: name, sha256: hash.sha256, size: stat.size, origin: 'added', file });
    }
    return out;
  }

  private warnOnce(key: string, msg: string, fields: Record<string, unknown>): void {
    if (this.warned.has(key)) return;
    this.warned.add(key);
    this.options.logger.warn(fields, msg);
  }
}

function sha256(code: Buffer): string {
  return createHash('sha256').update(code).digest('hex');
}

/** The listing as GET /agent/releases answers it. */
export async function releaseList(releases: AgentReleases): Promise<AgentReleaseList> {
  const listed = await releases.list();
  return {
    latest: listed[0]!.version,
    releases: listed.map((r) => ({ version: r.version, sha256: r.sha256, size: r.size, path: agentReleasePath(r.version) })),
  };
}

function sendBundle(request: { headers: Record<string, unknown> }, reply: FastifyReply, release: AgentReleaseFile) {
  const etag = `"${release.sha256}"`;
  reply.header('etag', etag).header('cache-control', 'no-cache').header('x-tend-agent-version', release.version).header('x-tend-agent-sha256', release.sha256);
  if (request.headers['if-none-match'] === etag) return reply.code(304).send();
  return reply.header('content-type', 'application/javascript; charset=utf-8').send(release.code);
}

/**
 * GET /agent/releases (the listing), GET /agent/releases/<version>/tend-agent.cjs
 * (one release) and GET /agent/tend-agent.cjs (the newest, for install.sh).
 * No credentials, as for install.sh: a bundle holds no secret. Each bundle
 * answer carries its version and SHA-256 in headers (x-tend-agent-version,
 * x-tend-agent-sha256, and the ETag) so a downloader can check it.
 */
export function registerAgentReleases(app: FastifyInstance, options: AgentReleasesOptions): AgentReleases {
  const releases = new AgentReleases(options);
  const failed = (requestId: string) => (err: unknown) => {
    options.logger.error({ err, requestId }, 'listing the agent releases failed');
    throw err;
  };

  app.get(AGENT_RELEASES_PATH, async (request, reply) => {
    const list = await releaseList(releases).catch(failed(request.id));
    return reply.header('cache-control', 'no-cache').header('content-type', 'application/json; charset=utf-8').send(JSON.stringify(list));
  });

  app.get<{ Params: { version: string } }>(`${AGENT_RELEASES_PATH}/:version/${BUNDLE_FILE_NAME}`, async (request, reply) => {
    const release = await releases.get(request.params.version).catch(failed(request.id));
    if (!release) {
      return reply
        .code(404)
        .header('content-type', 'application/json; charset=utf-8')
        .send(JSON.stringify({ message: `This server holds no agent release ${request.params.version}; GET ${AGENT_RELEASES_PATH} lists them.` }));
    }
    return sendBundle(request, reply, release);
  });

  app.get(AGENT_BUNDLE_PATH, async (request, reply) => sendBundle(request, reply, await releases.newest().catch(failed(request.id))));
  return releases;
}
