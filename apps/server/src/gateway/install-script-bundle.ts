import { createHash } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, stop, type Plugin } from 'esbuild';

/** The agent as one CommonJS file that plain `node` runs: no tsx, no node_modules, no native code. */
export interface AgentBundle {
  code: Buffer;
  /** Hex SHA-256 of `code`, served as the ETag so a host can tell what it runs. */
  sha256: string;
  version: string;
}

const REPO = fileURLToPath(new URL('../../../../', import.meta.url));
const CLI_SRC = path.join(REPO, 'apps/cli/src');

/**
 * Only `tend agent`: the full CLI entry imports the server (for its version)
 * and every client verb, none of which a managed node needs. Plus the
 * hidden `update-watchdog`, which an agent update runs from the previous
 * bundle (apps/agent/src/plugins/update-agent/watchdog.ts).
 */
function entrySource(version: string): string {
  return `
import { Command } from 'commander';
import { createLogger, parseLogLevel, runUpdateWatchdog } from '@tend/agent';
import { registerAgentCommand } from './commands/agent.ts';
import { describeError } from './errors.ts';

const program = new Command();
program.name('tend').description('Tend agent').version(${JSON.stringify(version)});
program.configureOutput({ outputError: (text, write) => write('tend: ' + text.replace(/^error: /, '')) });
registerAgentCommand(program);
program
  .command('update-watchdog', { hidden: true })
  .description('watch an agent update and roll it back if the new agent does not connect (started by the agent itself)')
  .requiredOption('--state-dir <dir>', "the agent's state dir")
  .action(async (opts: { stateDir: string }) => {
    const logger = createLogger({ level: parseLogLevel(process.env.TEND_LOG_LEVEL), bindings: { component: 'update-watchdog' } });
    process.exit(await runUpdateWatchdog({ stateDir: opts.stateDir, logger }));
  });
program.parseAsync(process.argv).catch((err) => {
  process.stderr.write('tend: ' + describeError(err) + '\\n');
  process.exit(1);
});
`;
}

/**
 * The agent reads its version from the repository's package.json next to its
 * sources; a single file has no such neighbour, so that read becomes the
 * version literal. Any other `import.meta.url` in the agent's sources would
 * point at files the bundle does not carry: the build fails, naming the
 * file, rather than serving an agent that breaks on the host.
 */
const PACKAGE_JSON_READ = /JSON\.parse\(\s*readFileSync\(\s*new URL\(\s*'(?:\.\.\/)+package\.json',\s*import\.meta\.url\s*\),\s*'utf8'\s*\)\s*\)/g;

function inlineRepositoryFiles(version: string): Plugin {
  return {
    name: 'tend-inline-repository-files',
    setup(b) {
      b.onLoad({ filter: /\.ts$/ }, async (args) => {
        const relative = path.relative(REPO, args.path);
        if (relative.startsWith('..') || relative.split(path.sep).includes('node_modules')) return undefined;
        const source = await fs.readFile(args.path, 'utf8');
        const contents = source.replace(PACKAGE_JSON_READ, `(${JSON.stringify({ version })})`);
        if (contents.includes('import.meta.url')) {
          throw new Error(`${relative} locates files with import.meta.url, which the single-file agent bundle cannot carry`);
        }
        return { contents, loader: 'ts' };
      });
    },
  };
}

/** Bundles the agent from the sources this server runs (esbuild, the compiler tsx already uses). */
export async function buildAgentBundle(version: string): Promise<AgentBundle> {
  const result = await build({
    stdin: { contents: entrySource(version), resolveDir: CLI_SRC, sourcefile: 'tend-agent-entry.ts', loader: 'ts' },
    bundle: true,
    platform: 'node',
    target: 'node20.19',
    // CommonJS: the bundled dependencies (commander, ws) are CommonJS and require Node built-ins,
    // which an ES module bundle can only do through a createRequire shim.
    format: 'cjs',
    // ws loads these optional native accelerators in a try/catch and works without them.
    external: ['bufferutil', 'utf-8-validate'],
    banner: { js: `#!/usr/bin/env node\n// Tend agent ${version}, bundled from the Tend sources by the Tend server (GET /agent/tend-agent.cjs).` },
    legalComments: 'eof',
    charset: 'utf8',
    write: false,
    logLevel: 'silent',
    plugins: [inlineRepositoryFiles(version)],
  }).finally(() =>
    // The build starts an esbuild helper process (~15 MB) that would idle beside the
    // server for good: the bundle is built once. A later build starts a new one.
    stop(),
  );
  const code = Buffer.from(result.outputFiles[0]!.contents);
  return { code, sha256: createHash('sha256').update(code).digest('hex'), version };
}

let cached: { version: string; bundle: Promise<AgentBundle> } | undefined;

/**
 * The bundle, built on the first request and then kept: the sources do not
 * change while the server runs. A failed build is not kept, so the next
 * request tries again.
 */
export function agentBundle(version: string): Promise<AgentBundle> {
  if (cached?.version !== version) {
    const bundle = buildAgentBundle(version);
    cached = { version, bundle };
    bundle.catch(() => {
      if (cached?.bundle === bundle) cached = undefined;
    });
  }
  return cached.bundle;
}
