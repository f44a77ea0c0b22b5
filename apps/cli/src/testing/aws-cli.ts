import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { cleanEnv, runProcess, type ProcessRun } from './run-tend.js';

/** The real AWS CLI pointed at a Tend server, as the tests drive it. */
export interface AwsCli {
  /** `aws --endpoint-url <server> --output json ssm <args>`: runs it and answers what it printed. */
  run(...args: string[]): Promise<ProcessRun>;
  /** An empty HOME for this CLI: no ~/.aws/config or credentials of this machine can change an outcome. */
  home: string;
  /** Removes the HOME. */
  close(): void;
}

/** An AWS CLI with the server's keys in its environment and its URL on every command line. */
export function awsCliFor(server: { url: string; credentials: { accessKeyId: string; secretAccessKey: string } }): AwsCli {
  const home = fs.mkdtempSync(path.join(os.tmpdir(), 'tend-aws-home-'));
  const env = cleanEnv({
    HOME: home,
    AWS_ACCESS_KEY_ID: server.credentials.accessKeyId,
    AWS_SECRET_ACCESS_KEY: server.credentials.secretAccessKey,
    AWS_DEFAULT_REGION: 'us-east-1',
  });
  return {
    home,
    run: (...args) => runProcess('aws', ['--endpoint-url', server.url, '--output', 'json', 'ssm', ...args], { env }),
    close: () => fs.rmSync(home, { recursive: true, force: true }),
  };
}

/** Runs the CLI, expects it to succeed silently on stderr, and answers its JSON (`{}` when it printed nothing). */
export async function awsJson(cli: AwsCli, ...args: string[]): Promise<any> {
  const run = await cli.run(...args);
  if (run.code !== 0 || run.stderr !== '') throw new Error(`aws ssm ${args.join(' ')} exited ${run.code}: ${run.stderr}`);
  return run.stdout.trim() ? JSON.parse(run.stdout) : {};
}
