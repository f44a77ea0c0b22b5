import type { Command } from 'commander';
import { CreateActivationCommand } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { CliError } from '../errors.js';
import { fieldTable, formatDate, printResult } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { parseTag, positiveInteger, repeatable } from './option-parsers.js';

interface CreateOptions extends ClientCommandOptions {
  description?: string;
  defaultInstanceName?: string;
  limit?: string;
  expiresIn?: string;
  tag: string[];
  iamRole: string;
  publicUrl?: string;
}

const UNIT_MS = { m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/**
 * `tend activations create`: CreateActivation, then the one command that
 * installs the agent on a host with it. The code is in this output only:
 * the server keeps a hash.
 */
export function registerActivationsCreate(activations: Command): void {
  clientCommand(activations, 'create', 'create an activation and print the command that installs the agent with it')
    .option('--description <text>', 'what the activation is for')
    .option('--default-instance-name <name>', 'Name of the nodes registering with it (an agent may choose its own with --name)')
    .option('--limit <n>', 'how many machines may register with it, 1-1000 (default 1)')
    .option('--expires-in <duration>', 'lifetime: 30m, 24h, 7d… at most 30 days (default 24h)')
    .option('--tag <key=value>', 'tag applied to the activation and to every node registering with it (repeatable)', repeatable, [])
    .option('--iam-role <role>', 'IamRole, kept as metadata (the API requires one; Tend assumes no roles)', 'SSMServiceRole')
    .option('--public-url <url>', 'server URL as the hosts to install reach it, for the install command (default: the endpoint)')
    .action(async (opts: CreateOptions) => {
      const limit = opts.limit === undefined ? undefined : positiveInteger('--limit', opts.limit);
      const expiration = opts.expiresIn === undefined ? undefined : new Date(Date.now() + durationMs(opts.expiresIn));
      const tags = opts.tag.map((t) => parseTag(t));
      const { created, endpoint } = await withSsm(opts, async (ssm, config) => ({
        endpoint: config.endpoint,
        created: await ssm.send(
          new CreateActivationCommand({
            Description: opts.description,
            DefaultInstanceName: opts.defaultInstanceName,
            IamRole: opts.iamRole,
            RegistrationLimit: limit,
            ExpirationDate: expiration,
            Tags: tags.length ? tags : undefined,
          }),
        ),
      }));
      const id = created.ActivationId ?? '';
      const code = created.ActivationCode ?? '';
      const serverUrl = (opts.publicUrl ?? endpoint).replace(/\/+$/, '');
      const command = installCommand(serverUrl, id, code);
      printResult(opts, { ActivationId: id, ActivationCode: code, InstallCommand: command }, () => {
        const n = limit ?? 1;
        const lines = [
          fieldTable([
            ['ActivationId', id],
            ['ActivationCode', code],
            ['Registrations', `up to ${n} machine${n === 1 ? '' : 's'}`],
            ['Expires', expiration ? formatDate(expiration) : 'in 24 hours'],
          ]).trimEnd(),
          '',
          'The activation code is shown only now: the server keeps only a hash of it.',
          '',
          'Install the agent on a Linux host (needs root, systemd and Node.js 20.19 or later):',
          '',
          `  ${command}`,
        ];
        if (isLoopback(serverUrl)) {
          lines.push('', `${serverUrl} only reaches this machine; for other hosts give --public-url with an address they can reach.`);
        }
        return lines.join('\n') + '\n';
      });
    });
}

/** The one-line install, as `tend activations create` prints it and the install script expects it. */
export function installCommand(serverUrl: string, activationId: string, activationCode: string): string {
  const args = ['--activation-id', activationId, '--activation-code', activationCode].map(shellWord).join(' ');
  return `curl -fsSL ${shellWord(`${serverUrl}/install.sh`)} | sudo bash -s -- ${args}`;
}

/** A word the shell reads back unchanged: bare when it is plain, else single-quoted. */
function shellWord(text: string): string {
  return /^[A-Za-z0-9_@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

function isLoopback(url: string): boolean {
  const host = new URL(url).hostname;
  return host === 'localhost' || host === '[::1]' || host.startsWith('127.');
}

function durationMs(text: string): number {
  const match = /^(\d+)\s*([mhd])$/.exec(text.trim());
  if (!match || Number(match[1]) === 0) throw new CliError('ValidationException', `--expires-in takes a duration like 30m, 24h or 7d; got "${text}"`);
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

