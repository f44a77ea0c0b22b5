import path from 'node:path';
import type { CommandResult, CommandRunner, RunOptions } from '../command-runner.js';

/**
 * A CommandRunner that answers from recorded outputs, for the backends
 * whose package manager does not run on Tend's test machine (dnf, yum,
 * zypper). It answers only the exact command lines it was given, so a test
 * fails when a backend builds a command differently, and it keeps every
 * call for assertions.
 */
export interface RecordedAnswer {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
}

export interface RecordedRunner extends CommandRunner {
  calls: string[][];
}

/**
 * `answers` maps a command line (argv joined with single spaces) to what
 * it printed; a function answer can look at the call count. Files of the
 * managed system are read from `systemRoot` on this machine.
 */
export function recordedRunner(answers: Record<string, RecordedAnswer | ((nth: number) => RecordedAnswer)>, systemRoot = '/nonexistent-tend-root'): RecordedRunner {
  const counts = new Map<string, number>();
  const calls: string[][] = [];
  return {
    systemRoot,
    calls,
    async hostPath(systemPath) {
      return path.join(systemRoot, systemPath);
    },
    async run(argv: readonly string[], options: RunOptions = {}): Promise<CommandResult> {
      if (options.signal?.aborted) throw new Error('aborted');
      calls.push([...argv]);
      const key = argv.join(' ');
      const answer = answers[key];
      if (answer === undefined) throw new Error(`no recorded output for: ${key}`);
      const nth = (counts.get(key) ?? 0) + 1;
      counts.set(key, nth);
      const { stdout = '', stderr = '', exitCode = 0 } = typeof answer === 'function' ? answer(nth) : answer;
      return { argv: [...argv], stdout, stderr, exitCode };
    },
  };
}
