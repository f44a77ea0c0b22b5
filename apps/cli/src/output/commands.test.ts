import { describe, expect, it } from 'vitest';
import type { CommandInvocation } from '@aws-sdk/client-ssm';
import {
  EXIT_NOT_ALL_SUCCEEDED,
  EXIT_SUCCESS,
  formatOutputLine,
  formatProgress,
  invocationsTable,
  LineSplitter,
  ProgressDisplay,
  responseCodeOf,
  runCounts,
  runExitCode,
} from './commands.js';

const statuses = (...list: string[]) => list.map((Status) => ({ Status }) as Pick<CommandInvocation, 'Status'>);

describe('progress of tend run', () => {
  it('counts Success as done, every other end as failed, the rest as pending of the target count', () => {
    const invocations = statuses('Success', 'Success', 'Success', 'Failed', 'InProgress', 'Pending', 'Delayed', 'Cancelling');
    expect(runCounts({ TargetCount: 10 }, invocations)).toEqual({ done: 3, failed: 1, pending: 6, total: 10 });
    expect(formatProgress(runCounts({ TargetCount: 10 }, invocations))).toBe('3 done · 1 failed · 6 pending of 10');
    expect(runCounts({ TargetCount: 3 }, statuses('TimedOut', 'Cancelled', 'Success'))).toEqual({ done: 1, failed: 2, pending: 0, total: 3 });
    // Listed before the counters caught up: never a negative pending count.
    expect(runCounts({ TargetCount: 0 }, statuses('InProgress'))).toEqual({ done: 0, failed: 0, pending: 1, total: 1 });
  });

  it('says so while the command is cancelling', () => {
    expect(formatProgress({ done: 1, failed: 0, pending: 1, total: 2 }, 'Cancelling')).toBe('1 done · 0 failed · 1 pending of 2 · cancelling');
    expect(formatProgress({ done: 1, failed: 0, pending: 1, total: 2 }, 'InProgress')).toBe('1 done · 0 failed · 1 pending of 2');
  });
});

describe('exit status of tend run', () => {
  it('is 0 only when the command and every invocation succeeded', () => {
    expect(runExitCode({ Status: 'Success' }, statuses('Success', 'Success'))).toBe(EXIT_SUCCESS);
    expect(runExitCode({ Status: 'Failed' }, statuses('Success', 'Failed'))).toBe(EXIT_NOT_ALL_SUCCEEDED);
    expect(runExitCode({ Status: 'TimedOut' }, statuses('TimedOut'))).toBe(EXIT_NOT_ALL_SUCCEEDED);
    expect(runExitCode({ Status: 'Cancelled' }, statuses('Success', 'Cancelled'))).toBe(EXIT_NOT_ALL_SUCCEEDED);
    // Systems Manager calls a command that targeted nothing Success; a script should not.
    expect(runExitCode({ Status: 'Success' }, [])).toBe(EXIT_NOT_ALL_SUCCEEDED);
    expect(EXIT_NOT_ALL_SUCCEEDED).not.toBe(1);
  });
});

describe('LineSplitter', () => {
  it('gives a line cut across chunks once, whole, when its newline arrives', () => {
    const lines = new LineSplitter();
    expect(lines.push('first li')).toEqual([]);
    expect(lines.push('ne\nsecond')).toEqual(['first line']);
    expect(lines.push(' line\n')).toEqual(['second line']);
    expect(lines.push('')).toEqual([]);
    expect(lines.push('a\n\nb\n')).toEqual(['a', '', 'b']);
    expect(lines.end()).toEqual([]);
  });

  it('ends with the unterminated last line, and drops the \\r of CRLF even when it arrives alone', () => {
    const lines = new LineSplitter();
    expect(lines.push('dos line\r')).toEqual([]);
    expect(lines.push('\nno newline at the end')).toEqual(['dos line']);
    expect(lines.end()).toEqual(['no newline at the end']);
    expect(lines.end()).toEqual([]);
  });

  it('keeps multi-byte characters intact across chunks', () => {
    const lines = new LineSplitter();
    expect(lines.push('naïve ')).toEqual([]);
    expect(lines.push('café ✓\n')).toEqual(['naïve café ✓']);
  });
});

describe('formatOutputLine', () => {
  const id = 'mi-0123456789abcdef0';
  it('prefixes the node and marks stderr', () => {
    expect(formatOutputLine(id, 'Stdout', ' 10:01:02 up 3 days')).toBe(`${id} |  10:01:02 up 3 days`);
    expect(formatOutputLine(id, 'Stderr', 'ls: cannot access')).toBe(`${id} ! ls: cannot access`);
  });

  it('shows what a terminal would after \\r redraws, keeps tabs, drops colours and escapes other control sequences', () => {
    expect(formatOutputLine(id, 'Stdout', ' 10%\r 50%\r100% done')).toBe(`${id} | 100% done`);
    expect(formatOutputLine(id, 'Stdout', 'a\tb')).toBe(`${id} | a\tb`);
    expect(formatOutputLine(id, 'Stdout', '\x1b[1;31mred\x1b[0m')).toBe(`${id} | red`);
    expect(formatOutputLine(id, 'Stdout', '\x1b]0;title\x07\x1b[2J')).toBe(`${id} | \\x1b]0;title\\x07\\x1b[2J`);
  });
});

describe('summary table', () => {
  it('shows one row per node with the response code of the step that decided', () => {
    const invocations: CommandInvocation[] = [
      { InstanceId: 'mi-00000000000000001', InstanceName: 'web-1', Status: 'Success', StatusDetails: 'Success', CommandPlugins: [{ Name: 'runShellScript', Status: 'Success', ResponseCode: 0 }] },
      {
        InstanceId: 'mi-00000000000000002',
        InstanceName: 'web-2',
        Status: 'Failed',
        StatusDetails: 'Failed',
        CommandPlugins: [
          { Name: 'first', Status: 'Failed', ResponseCode: 3 },
          { Name: 'second', Status: 'Cancelled', ResponseCode: -1 },
        ],
      },
      { InstanceId: 'mi-00000000000000003', Status: 'Cancelled', StatusDetails: 'Terminated', CommandPlugins: [{ Name: 'runShellScript', Status: 'Cancelled', ResponseCode: -1 }] },
    ];
    expect(invocationsTable(invocations)).toBe(
      [
        'NODE                  NAME   STATUS     STATUS DETAILS  RESPONSE CODE',
        'mi-00000000000000001  web-1  Success    Success                     0',
        'mi-00000000000000002  web-2  Failed     Failed                      3',
        'mi-00000000000000003         Cancelled  Terminated',
        '',
      ].join('\n'),
    );
    expect(invocationsTable([])).toBe('No invocations: the command targeted no node.\n');
  });

  it('takes the last step when every step succeeded, and none when no step ran', () => {
    expect(responseCodeOf({ CommandPlugins: [{ Status: 'Success', ResponseCode: 0 }, { Status: 'Success', ResponseCode: 0 }] })).toBe(0);
    expect(responseCodeOf({ CommandPlugins: [{ Status: 'Success', ResponseCode: 0 }, { Status: 'Failed', ResponseCode: 127 }] })).toBe(127);
    expect(responseCodeOf({ CommandPlugins: [{ Status: 'Pending', ResponseCode: -1 }] })).toBeUndefined();
    expect(responseCodeOf({})).toBeUndefined();
  });
});

describe('ProgressDisplay', () => {
  const capture = (tty: boolean, now?: () => number) => {
    const out: string[] = [];
    const err: string[] = [];
    const display = new ProgressDisplay({ out: { write: (t: string) => out.push(t) }, err: { write: (t: string) => err.push(t) }, tty, now });
    return { display, out, err };
  };

  it('on a terminal, rewrites the line in place and keeps it below the output', () => {
    const { display, out, err } = capture(true);
    display.update('0 done · 0 failed · 2 pending of 2');
    display.update('0 done · 0 failed · 2 pending of 2');
    display.print('mi-1 | hello\n');
    display.update('1 done · 0 failed · 1 pending of 2');
    display.finish('2 done · 0 failed · 0 pending of 2');
    expect(out).toEqual(['mi-1 | hello\n']);
    expect(err).toEqual([
      '\r\x1b[2K0 done · 0 failed · 2 pending of 2',
      '\r\x1b[2K',
      '0 done · 0 failed · 2 pending of 2',
      '\r\x1b[2K1 done · 0 failed · 1 pending of 2',
      '\r\x1b[2K2 done · 0 failed · 0 pending of 2\n',
    ]);
  });

  it('in a pipe, prints plain lines: changes at most every 2 s, the same line again after 30 s, and the final one', () => {
    let now = 0;
    const { display, err } = capture(false, () => now);
    display.update('A');
    now = 500;
    display.update('B');
    now = 2_100;
    display.update('B');
    now = 20_000;
    display.update('B');
    now = 32_200;
    display.update('B');
    display.finish('C');
    expect(err).toEqual(['A\n', 'B\n', 'B\n', 'C\n']);

    const quiet = capture(false);
    quiet.display.update('A');
    quiet.display.finish('A');
    expect(quiet.err).toEqual(['A\n']);
  });

  it('prints nothing of the progress when told not to, but still the notes', () => {
    const out: string[] = [];
    const err: string[] = [];
    const display = new ProgressDisplay({ out: { write: (t: string) => out.push(t) }, err: { write: (t: string) => err.push(t) }, tty: false, progress: false });
    display.update('A');
    display.finish('A');
    display.note('Cancelling');
    expect(err).toEqual(['Cancelling\n']);
  });
});
