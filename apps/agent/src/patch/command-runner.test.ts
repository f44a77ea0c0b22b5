import { mkdir, mkdtemp, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { processIsAlive } from '../plugins/process-tree.js';
import { CommandFailedError, createCommandRunner, resolveInRoot, runChecked } from './command-runner.js';
import { sourceFilesFor, withSourceFiles } from './source-files.js';

let scratch: string;
beforeEach(async () => {
  scratch = await mkdtemp(path.join(tmpdir(), 'tend-runner-test-'));
});
afterEach(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe('command runner', () => {
  const runner = createCommandRunner();

  it('runs with the C locale, no prompts and a PATH with sbin, not the agent environment', async () => {
    process.env.TEND_RUNNER_TEST_SECRET = 'leak';
    try {
      const result = await runner.run(['sh', '-c', 'echo "$LANG $LC_ALL $DEBIAN_FRONTEND $PATH [$TEND_RUNNER_TEST_SECRET]"']);
      expect(result.exitCode).toBe(0);
      expect(result.stdout.trim()).toBe('C C noninteractive /usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin []');
    } finally {
      delete process.env.TEND_RUNNER_TEST_SECRET;
    }
  });

  it('returns the exit code and both streams; runChecked throws on an unexpected code', async () => {
    const result = await runner.run(['sh', '-c', 'echo out; echo err >&2; exit 3']);
    expect(result).toMatchObject({ exitCode: 3, stdout: 'out\n', stderr: 'err\n' });
    await expect(runChecked(runner, ['sh', '-c', 'echo boom >&2; exit 3'])).rejects.toThrow(CommandFailedError);
    await expect(runChecked(runner, ['sh', '-c', 'echo boom >&2; exit 3'])).rejects.toThrow(/exited with 3: boom/);
    expect((await runChecked(runner, ['sh', '-c', 'exit 100'], { okExitCodes: [0, 100] })).exitCode).toBe(100);
  });

  it('feeds stdin when given', async () => {
    expect((await runner.run(['cat'], { input: 'hello\n' })).stdout).toBe('hello\n');
  });

  it('kills the whole process tree on abort and rejects with the reason', async () => {
    const controller = new AbortController();
    const pidFile = path.join(scratch, 'pid');
    const running = runner.run(['sh', '-c', `sleep 60 & echo $! > ${pidFile}; wait`], { signal: controller.signal });
    let pid = 0;
    for (let i = 0; i < 500 && !pid; i++) {
      pid = Number((await readFile(pidFile, 'utf8').catch(() => '')).trim()) || 0;
      if (!pid) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    expect(processIsAlive(pid)).toBe(true);
    controller.abort(new Error('cancelled'));
    await expect(running).rejects.toThrow('cancelled');
    expect(processIsAlive(pid)).toBe(false);
  });

  it('refuses to start when already aborted', async () => {
    await expect(runner.run(['true'], { signal: AbortSignal.abort(new Error('too late')) })).rejects.toThrow('too late');
  });

  it('prefixes chroot DIR when managing another root', async () => {
    const chrooted = createCommandRunner({ systemRoot: path.join(scratch, 'no-such-root') });
    const result = await chrooted.run(['true']);
    // chroot itself reports the missing root: proof the command went through it.
    expect(result.argv).toEqual(['chroot', path.join(scratch, 'no-such-root'), 'true']);
    expect(result.exitCode).not.toBe(0);
    expect(result.stderr).toMatch(/chroot/);
  });
});

describe('paths inside a system root', () => {
  it('follows absolute links as the managed system would, never out of the root', async () => {
    const root = path.join(scratch, 'root');
    await mkdir(path.join(root, 'run'), { recursive: true });
    await mkdir(path.join(root, 'var'), { recursive: true });
    await symlink('/run', path.join(root, 'var/run'));
    await symlink('../../../../../../etc', path.join(root, 'escape'));
    expect(await resolveInRoot(root, '/var/run/reboot-required')).toBe(path.join(root, 'run/reboot-required'));
    expect(await resolveInRoot(root, '/escape/passwd')).toBe(path.join(root, 'etc/passwd'));
    expect(await resolveInRoot(root, '/../../etc/shadow')).toBe(path.join(root, 'etc/shadow'));
    expect(await resolveInRoot('/', '/var/run/x')).toBe('/var/run/x');
  });

  it('detects link loops', async () => {
    const root = path.join(scratch, 'root');
    await mkdir(root, { recursive: true });
    await symlink('/b', path.join(root, 'a'));
    await symlink('/a', path.join(root, 'b'));
    await expect(resolveInRoot(root, '/a/x')).rejects.toThrow(/too many symbolic links/);
  });
});

describe('baseline sources as files', () => {
  it('writes the sources for the product during the operation and restores what was there', async () => {
    const root = path.join(scratch, 'root');
    const dir = path.join(root, 'etc/yum.repos.d');
    await mkdir(dir, { recursive: true });
    await writeFile(path.join(dir, 'tend-patch-existing.repo'), 'original\n');
    const runner = createCommandRunner({ systemRoot: root });
    const files = sourceFilesFor(
      [
        { Name: 'existing', Products: ['RedhatEnterpriseLinux9.4'], Configuration: '[existing]\nbaseurl=http://a' },
        { Name: 'new/one', Products: ['*'], Configuration: '[new]\nbaseurl=http://b' },
        { Name: 'new?one', Products: ['*'], Configuration: '[new2]\nbaseurl=http://c' },
        { Name: 'other-os', Products: ['AmazonLinux2023'], Configuration: '[x]' },
      ],
      'RedhatEnterpriseLinux9.4',
      (source, stem) => ({ systemPath: `/etc/yum.repos.d/${stem}.repo`, content: source.Configuration }),
    );
    expect(files.map((f) => f.systemPath)).toEqual([
      '/etc/yum.repos.d/tend-patch-existing.repo',
      '/etc/yum.repos.d/tend-patch-new_one.repo',
      '/etc/yum.repos.d/tend-patch-new_one-2.repo',
    ]);
    const seen = await withSourceFiles(
      runner,
      files,
      async () => ({
        existing: await readFile(path.join(dir, 'tend-patch-existing.repo'), 'utf8'),
        second: await readFile(path.join(dir, 'tend-patch-new_one-2.repo'), 'utf8'),
      }),
      new AbortController().signal,
    );
    expect(seen).toEqual({ existing: '[existing]\nbaseurl=http://a\n', second: '[new2]\nbaseurl=http://c\n' });
    const { readdir } = await import('node:fs/promises');
    expect(await readdir(dir)).toEqual(['tend-patch-existing.repo']);
    expect(await readFile(path.join(dir, 'tend-patch-existing.repo'), 'utf8')).toBe('original\n');

    await expect(withSourceFiles(runner, files, () => Promise.reject(new Error('failed')), new AbortController().signal)).rejects.toThrow('failed');
    expect(await readdir(dir)).toEqual(['tend-patch-existing.repo']);
  });
});
