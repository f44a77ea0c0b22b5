import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build, stop, type Plugin } from 'esbuild';

/**
 * `tend server` and `tend up` run the server from one bundled ES module
 * instead of through tsx, which compiles every source file on its own and
 * keeps every function's name with a wrapper call: bench/parameters measured
 * 10 – 15 % less CPU per API answer from the bundle. There is still no build
 * step to remember: the bundle is built here, by esbuild (which tsx already
 * uses), whenever one of the sources it was built from changed, and is kept
 * in node_modules/.cache/tend. Tests import the sources as they are.
 *
 * Set TEND_RUN_SOURCES=1 to run the sources through tsx instead.
 */

type ServerModule = typeof import('./index.js');

const SERVER_SRC = path.dirname(fileURLToPath(import.meta.url));
const REPO = path.resolve(SERVER_SRC, '../../..');
export const SERVER_BUNDLE_FILE = path.join(REPO, 'node_modules', '.cache', 'tend', 'server.mjs');

/** Last line of the bundle (the first would shift its source map): what it was built from, to tell when it is stale. */
const STAMP_PREFIX = '// tend-server-bundle ';
/** Part of the stamp: a bundle made by other build options is stale too. */
const BUNDLE_FORMAT = 1;

interface Stamp {
  format: number;
  /** Every source file in the bundle, relative to the repository: [mtimeMs, size]. */
  inputs: Record<string, [number, number]>;
}

/** The server module: the bundle, rebuilt first if stale, or the sources when that is not possible. */
export async function loadServerModule(options: { onNotice?: (text: string) => void } = {}): Promise<ServerModule> {
  if (process.env.TEND_RUN_SOURCES === '1') return import('./index.js');
  try {
    if (!isFresh(SERVER_BUNDLE_FILE)) await buildServerBundle(SERVER_BUNDLE_FILE);
    process.setSourceMapsEnabled(true);
    return (await import(pathToFileURL(SERVER_BUNDLE_FILE).href)) as ServerModule;
  } catch (err) {
    // A read-only checkout, say: the sources run as they are, only a little slower.
    options.onNotice?.(`running the server from its sources (the bundle could not be built: ${(err as Error).message})`);
    return import('./index.js');
  }
}

/** True when the bundle exists and none of its sources changed since it was built. */
export function isFresh(file: string): boolean {
  let stamp: Stamp;
  try {
    const text = fs.readFileSync(file, 'utf8');
    const lastLine = text.slice(text.lastIndexOf('\n', text.length - 2) + 1);
    if (!lastLine.startsWith(STAMP_PREFIX)) return false;
    stamp = JSON.parse(lastLine.slice(STAMP_PREFIX.length)) as Stamp;
  } catch {
    return false;
  }
  if (stamp.format !== BUNDLE_FORMAT) return false;
  for (const [relative, [mtimeMs, size]] of Object.entries(stamp.inputs)) {
    const stat = fs.statSync(path.join(REPO, relative), { throwIfNoEntry: false });
    if (!stat || stat.mtimeMs !== mtimeMs || stat.size !== size) return false;
  }
  return true;
}

/** Builds the bundle of apps/server/src/index.ts into `file` (atomically: several servers may start at once). */
export async function buildServerBundle(file: string): Promise<void> {
  const result = await build({
    entryPoints: [path.join(SERVER_SRC, 'index.ts')],
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20.19',
    outfile: file,
    absWorkingDir: REPO,
    sourcemap: 'inline',
    // The dependencies stay in node_modules (native code, optional requires); only Tend's own packages are bundled.
    plugins: [externalDependencies(), sourceFileUrls()],
    metafile: true,
    write: false,
    logLevel: 'silent',
  }).finally(() => stop());
  const stamp: Stamp = { format: BUNDLE_FORMAT, inputs: {} };
  for (const input of Object.keys(result.metafile.inputs)) {
    // esbuild names inputs relative to its working directory, the repository.
    const absolute = path.resolve(REPO, input);
    const stat = fs.statSync(absolute);
    stamp.inputs[path.relative(REPO, absolute)] = [stat.mtimeMs, stat.size];
  }
  const code = result.outputFiles.find((out) => out.path === path.resolve(file))!.text;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const partial = `${file}.${process.pid}.partial`;
  fs.writeFileSync(partial, `${code}${STAMP_PREFIX}${JSON.stringify(stamp)}\n`);
  fs.renameSync(partial, file);
}

/** Every bare import but Tend's own workspace packages is left to node's resolution at run time. */
function externalDependencies(): Plugin {
  return {
    name: 'tend-external-dependencies',
    setup(b) {
      b.onResolve({ filter: /^[^./]/ }, (args) => (args.path.startsWith('@tend/') ? undefined : { path: args.path, external: true }));
    },
  };
}

/**
 * `import.meta.url` keeps naming each module's own source file, as the
 * sources use it to find files beside them (package.json, templates). Each
 * module gets a constant holding its URL, and the define below points
 * `import.meta.url` at it; esbuild keeps the constants of different modules apart.
 */
function sourceFileUrls(): Plugin {
  return {
    name: 'tend-source-file-urls',
    setup(b) {
      b.initialOptions.define = { ...b.initialOptions.define, 'import.meta.url': '__tendSourceFileUrl' };
      b.onLoad({ filter: /\.ts$/ }, (args) => {
        const source = fs.readFileSync(args.path, 'utf8');
        if (!source.includes('import.meta.url')) return { contents: source, loader: 'ts' };
        // On the first line, so the source map's line numbers stay right.
        return { contents: `const __tendSourceFileUrl = ${JSON.stringify(pathToFileURL(args.path).href)}; ${source}`, loader: 'ts' };
      });
    },
  };
}
