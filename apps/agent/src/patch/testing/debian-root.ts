import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';

/**
 * A real Debian 12 system root for the apt backend's tests: debootstrap's
 * minbase, built once and kept as a tar file, unpacked afresh for each test
 * that changes it. Building takes a minute or two (it downloads ~30 MB of
 * packages from the Debian mirror this machine's apt uses); unpacking takes
 * a second or two.
 *
 * Run this file directly to build the cache ahead of the tests (CI does):
 *   node --import tsx apps/agent/src/patch/testing/debian-root.ts
 */

const run = promisify(execFile);

/** Where the root is cached; TEND_TEST_DEBIAN_ROOT_CACHE overrides. */
export const DEBIAN_ROOT_CACHE = process.env.TEND_TEST_DEBIAN_ROOT_CACHE ?? '/var/cache/tend-test/debian-bookworm-root.tar';

const SUITE = 'bookworm';

/**
 * Why the real-apt tests cannot run here, or undefined when they can. They
 * need root (chroot, dpkg's ownership of files) and, unless the cache is
 * already built, debootstrap.
 */
export function debianRootUnavailableReason(): string | undefined {
  if (process.platform !== 'linux') return 'the real-apt tests need Linux';
  if (process.getuid?.() !== 0) return 'the real-apt tests need root (chroot into a Debian root)';
  for (const tool of ['chroot', 'dpkg-deb', 'tar']) {
    if (!onPath(tool)) return `the real-apt tests need ${tool}`;
  }
  if (!existsSync(DEBIAN_ROOT_CACHE) && !onPath('debootstrap')) {
    return `the real-apt tests need debootstrap to build ${DEBIAN_ROOT_CACHE} (apt-get install debootstrap), or that file already built`;
  }
  return undefined;
}

function onPath(tool: string): boolean {
  const dirs = (process.env.PATH ?? '').split(':').concat(['/usr/sbin', '/sbin', '/usr/bin', '/bin']);
  return dirs.some((dir) => dir && existsSync(path.join(dir, tool)));
}

/**
 * The Debian mirror to bootstrap from: TEND_TEST_DEBIAN_MIRROR, else the
 * first source of this machine's apt configuration that serves `bookworm`
 * (the mirror this machine is known to reach), else deb.debian.org.
 */
export async function debianMirror(): Promise<string> {
  if (process.env.TEND_TEST_DEBIAN_MIRROR) return process.env.TEND_TEST_DEBIAN_MIRROR;
  const files: string[] = [];
  if (existsSync('/etc/apt/sources.list')) files.push('/etc/apt/sources.list');
  try {
    for (const name of (await readdir('/etc/apt/sources.list.d')).sort()) {
      if (name.endsWith('.list') || name.endsWith('.sources')) files.push(path.join('/etc/apt/sources.list.d', name));
    }
  } catch {
    // No sources.list.d.
  }
  for (const file of files) {
    const found = mirrorIn(await readFile(file, 'utf8'));
    if (found) return found;
  }
  return 'http://deb.debian.org/debian';
}

/** The first URI of a sources.list or deb822 .sources text that serves the plain `bookworm` suite. */
export function mirrorIn(text: string): string | undefined {
  // One-line format: deb [options] uri suite components…
  for (const line of text.split('\n')) {
    const m = /^\s*deb\s+(?:\[[^\]]*\]\s+)?(\S+)\s+(\S+)/.exec(line);
    if (m && m[2] === SUITE) return m[1];
  }
  // deb822: stanzas separated by blank lines.
  for (const stanza of text.split(/\n\s*\n/)) {
    const field = (name: string) => new RegExp(`^${name}:\\s*(.+)$`, 'mi').exec(stanza)?.[1]?.trim();
    if (field('Enabled') === 'no' || !(field('Types') ?? '').split(/\s+/).includes('deb')) continue;
    if ((field('Suites') ?? '').split(/\s+/).includes(SUITE)) return (field('URIs') ?? '').split(/\s+/)[0] || undefined;
  }
  return undefined;
}

/**
 * Builds the cached root unless it exists. Only one process builds at a
 * time (a lock directory beside the cache); the others wait for it.
 */
export async function ensureDebianRootCache(log: (line: string) => void = () => {}): Promise<void> {
  if (existsSync(DEBIAN_ROOT_CACHE)) return;
  await mkdir(path.dirname(DEBIAN_ROOT_CACHE), { recursive: true });
  const lock = `${DEBIAN_ROOT_CACHE}.lock`;
  for (;;) {
    try {
      await mkdir(lock);
      break;
    } catch {
      if (existsSync(DEBIAN_ROOT_CACHE)) return;
      // A build killed half-way leaves its lock; 20 minutes is far beyond a slow build.
      const age = Date.now() - (await stat(lock).catch(() => ({ mtimeMs: Date.now() }))).mtimeMs;
      if (age > 20 * 60_000) await rm(lock, { recursive: true, force: true });
      else await new Promise((resolve) => setTimeout(resolve, 2_000));
    }
  }
  const work = await mkdtemp(path.join(path.dirname(DEBIAN_ROOT_CACHE), 'build-'));
  try {
    if (existsSync(DEBIAN_ROOT_CACHE)) return;
    const mirror = await debianMirror();
    const started = Date.now();
    log(`building ${DEBIAN_ROOT_CACHE}: debootstrap --variant=minbase ${SUITE} from ${mirror} (takes a minute or two)`);
    const root = path.join(work, 'root');
    await run('debootstrap', ['--variant=minbase', SUITE, root, mirror], { maxBuffer: 64 * 1024 * 1024 });
    // Keep the cache small and offline: no downloaded packages, no index of the
    // real archive, no network source. The tests add their own local repository.
    await run('chroot', [root, 'apt-get', 'clean'], { env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin', LANG: 'C' } });
    await rm(path.join(root, 'var/lib/apt/lists'), { recursive: true, force: true });
    await mkdir(path.join(root, 'var/lib/apt/lists/partial'), { recursive: true });
    await writeFile(path.join(root, 'etc/apt/sources.list'), '# Tend test root: the tests add their own local repository.\n');
    const tmp = `${DEBIAN_ROOT_CACHE}.tmp`;
    await run('tar', ['--numeric-owner', '-C', root, '-cf', tmp, '.']);
    await rename(tmp, DEBIAN_ROOT_CACHE);
    log(`built ${DEBIAN_ROOT_CACHE} in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    await rm(work, { recursive: true, force: true });
    await rm(lock, { recursive: true, force: true });
  }
}

/** Unpacks a fresh copy of the cached root into `dir` (which must exist and be empty). */
export async function unpackDebianRoot(dir: string): Promise<void> {
  await run('tar', ['--numeric-owner', '-xpf', DEBIAN_ROOT_CACHE, '-C', dir]);
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const reason = debianRootUnavailableReason();
  if (reason) {
    console.error(`cannot build the Debian test root: ${reason}`);
    process.exit(1);
  }
  const started = Date.now();
  await ensureDebianRootCache((line) => console.log(line));
  console.log(`${DEBIAN_ROOT_CACHE} ready (${((Date.now() - started) / 1000).toFixed(1)} s)`);
}
