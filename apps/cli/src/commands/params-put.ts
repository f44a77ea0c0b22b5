import { Option, type Command } from 'commander';
import { ParameterTier, ParameterType, PutParameterCommand } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { parseTag, repeatable } from './option-parsers.js';

interface PutOptions extends ClientCommandOptions {
  type: ParameterType;
  description?: string;
  overwrite?: boolean;
  tier?: ParameterTier;
  keyId?: string;
  allowedPattern?: string;
  policies?: string;
  tag: string[];
}

/** `tend params put NAME VALUE`: PutParameter. */
export function registerParamsPut(params: Command): void {
  clientCommand(params, 'put', 'create a parameter, or a new version of it with --overwrite')
    .argument('<name>', 'parameter name, e.g. /app/prod/db-url')
    .argument('<value>', 'parameter value (StringList: comma-separated)')
    .addOption(new Option('--type <type>', 'parameter type').choices(Object.values(ParameterType)).default('String'))
    .option('--description <text>', 'what the parameter is for')
    .option('--overwrite', 'replace the value of an existing parameter (creates a new version)')
    .addOption(new Option('--tier <tier>', 'storage tier').choices(Object.values(ParameterTier)))
    .option('--key-id <id>', 'key id for a SecureString (Tend encrypts with its master key either way)')
    .option('--allowed-pattern <regex>', 'regular expression every value must match')
    .option(
      '--policies <json>',
      'parameter policies as a JSON array (Expiration, ExpirationNotification, NoChangeNotification; Advanced tier), "[]" to remove them',
    )
    .option('--tag <key=value>', 'tag the new parameter (repeatable)', repeatable, [])
    .action(async (name: string, value: string, opts: PutOptions) => {
      const result = await withSsm(opts, (ssm) =>
        ssm.send(
          new PutParameterCommand({
            Name: name,
            Value: value,
            Type: opts.type,
            Description: opts.description,
            Overwrite: opts.overwrite,
            Tier: opts.tier,
            KeyId: opts.keyId,
            AllowedPattern: opts.allowedPattern,
            Policies: opts.policies,
            Tags: opts.tag.length ? opts.tag.map((tag) => parseTag(tag)) : undefined,
          }),
        ),
      );
      printResult(opts, result, () =>
        table([{ header: 'name' }, { header: 'version', align: 'right' }, { header: 'tier' }], [[name, String(result.Version ?? ''), result.Tier ?? '']], ''),
      );
    });
}

