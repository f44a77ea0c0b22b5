import { execFile } from 'node:child_process';
import { rmSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { promisify } from 'node:util';
import path from 'node:path';
import { createCommandRunner, runChecked, type CommandRunner } from '../command-runner.js';
import { DEBIAN_ROOT_CACHE, ensureDebianRootCache, unpackDebianRoot } from './debian-root.js';
import { buildTestRepo, TEST_INITIAL_AUTO, TEST_INITIAL_INSTALL, TEST_REPO_PATH_IN_ROOT, TEST_SUITES, type TestSuite } from './test-repo.js';

/**
 * A throw-away Debian 12 system for one test: a fresh copy of the cached
 * debootstrap root, the local test repository inside it as its only apt
 * source, and the test packages' old versions installed. Also meant for
 * end-to-end tests of the agent with `--system-root`.
 */
export interface DebianTestSystem {
  /** The root directory on this machine (what `--system-root` takes). */
  root: string;
  /** A runner chrooted into it. */
  runner: CommandRunner;
  /** Removes the system (nothing is mounted in it, so this is all the cleanup). */
  dispose(): Promise<void>;
}

export interface DebianTestSystemOptions {
  /** Suites of the local repository (default: TEST_SUITES). */
  suites?: readonly TestSuite[];
  /** name=version to install first (default: TEST_INITIAL_INSTALL), and which of them to mark automatically installed. */
  install?: readonly string[];
  auto?: readonly string[];
  /** Progress lines (the cache build takes a minute or two the first time). */
  log?: (line: string) => void;
}

const run = promisify(execFile);

/** Where test roots are unpacked: beside the cache, so a killed run's leftovers are found and removed by the next. */
const ROOTS_DIR = path.join(path.dirname(DEBIAN_ROOT_CACHE), 'roots');
const STALE_MS = 3 * 60 * 60_000;

async function removeStaleRoots(): Promise<void> {
  const names = await readdir(ROOTS_DIR).catch(() => [] as string[]);
  for (const name of names) {
    const dir = path.join(ROOTS_DIR, name);
    const age = Date.now() - (await stat(dir).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
    if (age > STALE_MS) await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The default system, prepared once per process and kept as a tar file:
 * unpacking it (a fraction of a second) is much faster than running apt
 * again for every test.
 */
let defaultTemplate: Promise<string> | undefined;

async function prepare(root: string, options: DebianTestSystemOptions): Promise<void> {
  await unpackDebianRoot(root);
  const runner = createCommandRunner({ systemRoot: root });
  const arch = (await runChecked(runner, ['dpkg', '--print-architecture'])).stdout.trim();
  const lines = await buildTestRepo(path.join(root, TEST_REPO_PATH_IN_ROOT), TEST_REPO_PATH_IN_ROOT, options.suites ?? TEST_SUITES, arch);
  await writeFile(path.join(root, 'etc/apt/sources.list.d/tend-test.list'), lines.join('\n') + '\n');
  await runChecked(runner, ['apt-get', '-q', '-o', 'APT::Update::Error-Mode=any', 'update']);
  const install = options.install ?? TEST_INITIAL_INSTALL;
  if (install.length > 0) await runChecked(runner, ['apt-get', '-q', '-y', '--no-install-recommends', 'install', ...install]);
  const auto = options.auto ?? TEST_INITIAL_AUTO;
  if (auto.length > 0) await runChecked(runner, ['apt-mark', 'auto', ...auto]);
}

async function templateTar(): Promise<string> {
  const tar = path.join(ROOTS_DIR, `template-${process.pid}.tar`);
  const root = await mkdtemp(path.join(ROOTS_DIR, 'template-'));
  try {
    await prepare(root, {});
    await run('tar', ['--numeric-owner', '-C', root, '-cf', tar, '.']);
    // The test's afterAll removes it (disposeDebianTestTemplate); this catches a plain exit, the stale sweep a kill.
    process.once('exit', () => rmSync(tar, { force: true }));
    return tar;
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

export async function createDebianTestSystem(options: DebianTestSystemOptions = {}): Promise<DebianTestSystem> {
  await ensureDebianRootCache(options.log);
  await mkdir(ROOTS_DIR, { recursive: true });
  const isDefault = options.suites === undefined && options.install === undefined && options.auto === undefined;
  if (isDefault && !defaultTemplate) {
    await removeStaleRoots();
    defaultTemplate = templateTar();
    defaultTemplate.catch(() => (defaultTemplate = undefined));
  }
  const root = await mkdtemp(path.join(ROOTS_DIR, 'root-'));
  const dispose = () => rm(root, { recursive: true, force: true });
  try {
    if (isDefault) await run('tar', ['--numeric-owner', '-xpf', await defaultTemplate!, '-C', root]);
    else await prepare(root, options);
    return { root, runner: createCommandRunner({ systemRoot: root }), dispose };
  } catch (err) {
    await dispose();
    throw err;
  }
}

/** Removes this process's prepared template (call from afterAll). */
export async function disposeDebianTestTemplate(): Promise<void> {
  const template = defaultTemplate;
  defaultTemplate = undefined;
  const tar = await template?.catch(() => undefined);
  if (tar) await rm(tar, { force: true });
}
