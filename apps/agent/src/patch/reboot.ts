import { readFile } from 'node:fs/promises';
import os from 'node:os';

/**
 * Reboot facts shared by the backends: when the machine booted, and whether
 * a newer kernel is installed than the one running.
 */

/** How a backend learns the running kernel and the boot time; tests and `--system-root` set them. */
export interface RebootProbeOptions {
  /**
   * The running kernel's release (`uname -r`). Default: this machine's when
   * the managed root is `/`; unknown for another root (its running kernel is
   * not this machine's), which skips the kernel check.
   */
  runningKernel?: string | (() => Promise<string | undefined>);
  /** When the managed system booted (epoch ms). Default: this machine's, from /proc/stat. */
  bootTime?: () => Promise<number | undefined>;
}

export async function runningKernelOf(options: RebootProbeOptions, systemRoot: string): Promise<string | undefined> {
  if (typeof options.runningKernel === 'function') return options.runningKernel();
  if (options.runningKernel !== undefined) return options.runningKernel;
  return systemRoot === '/' ? os.release() : undefined;
}

export async function bootTimeOf(options: RebootProbeOptions): Promise<number | undefined> {
  return options.bootTime ? options.bootTime() : readBootTime();
}

/** This machine's boot time from /proc/stat's btime (seconds since the epoch). */
export async function readBootTime(): Promise<number | undefined> {
  try {
    const btime = /^btime (\d+)$/m.exec(await readFile('/proc/stat', 'utf8'))?.[1];
    return btime ? Number(btime) * 1000 : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Splits a Debian/Ubuntu kernel release (`6.1.0-18-amd64`, `5.15.0-105-generic`)
 * into its version (`6.1.0-18`) and flavour (`amd64`, `generic`). Only kernels
 * of the running flavour replace it at the next boot: a `cloud-amd64` image
 * installed beside `amd64` says nothing about a reboot.
 */
export function splitDebianKernelRelease(release: string): { version: string; flavour: string } | undefined {
  const m = /^(\d+(?:\.\d+)*(?:-\d+)?)(?:-(.+))?$/.exec(release);
  return m ? { version: m[1]!, flavour: m[2] ?? '' } : undefined;
}

/**
 * The newest of `installed` kernel releases when it is newer than
 * `running` and of the same flavour; undefined otherwise.
 */
export function newerDebianKernel(running: string, installed: readonly string[], compare: (a: string, b: string) => number): string | undefined {
  const run = splitDebianKernelRelease(running);
  if (!run) return undefined;
  let newest: { release: string; version: string } | undefined;
  for (const release of installed) {
    const k = splitDebianKernelRelease(release);
    if (!k || k.flavour !== run.flavour) continue;
    if (!newest || compare(k.version, newest.version) > 0) newest = { release, version: k.version };
  }
  return newest && compare(newest.version, run.version) > 0 ? newest.release : undefined;
}
