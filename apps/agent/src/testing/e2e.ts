import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanEnv, startTend, type LiveTend } from '../../../cli/src/testing/run-tend.js';

/**
 * Helpers for end-to-end tests: real `tend agent` / `tend sim` processes,
 * started the way users start them, against a real test server.
 */
export interface E2eScope {
  /** A fresh directory removed after the test. */
  tempDir(prefix: string): string;
  /** A system root whose etc/os-release says Debian 12, like a real Debian host. */
  debianRoot(): string;
  /** `tend <args>` in the background; stopped after the test. */
  tend(args: string[]): LiveTend;
  /** Stops every process and removes every directory. */
  cleanup(): Promise<void>;
}

export function e2eScope(): E2eScope {
  const dirs: string[] = [];
  const processes: LiveTend[] = [];
  const tempDir = (prefix: string) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    dirs.push(dir);
    return dir;
  };
  return {
    tempDir,
    debianRoot() {
      const root = tempDir('tend-e2e-root-');
      fs.mkdirSync(path.join(root, 'etc'));
      fs.writeFileSync(path.join(root, 'etc/os-release'), 'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nNAME="Debian GNU/Linux"\nVERSION_ID="12"\nID=debian\n');
      return root;
    },
    tend(args) {
      const live = startTend(args, { env: cleanEnv() });
      processes.push(live);
      return live;
    },
    async cleanup() {
      for (const live of processes.splice(0)) {
        // A stopped process cannot handle SIGTERM: wake it first.
        if (live.child.exitCode === null && live.child.signalCode === null) live.child.kill('SIGCONT');
        await live.stop('SIGTERM', 5000).catch(() => live.child.kill('SIGKILL'));
      }
      for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Resolves with the exit code once the process has exited (at once if it already has). */
export function exitCode(live: LiveTend, timeoutMs = 20_000): Promise<number | null> {
  const { child } = live;
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`process still running after ${timeoutMs} ms; stderr:\n${live.stderr}`)), timeoutMs);
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

/** Arguments of `tend agent` for a server, an activation and a state dir. */
export function agentArgs(serverUrl: string, activation: { activationId: string; activationCode: string }, stateDir: string, extra: string[] = []): string[] {
  return ['agent', '--server', serverUrl, '--activation-id', activation.activationId, '--activation-code', activation.activationCode, '--state-dir', stateDir, ...extra];
}

/** The JSON log line marking an authenticated connection. */
export const ONLINE = /"msg":"online"/;
