import fs from 'node:fs';
import { Option, type Command } from 'commander';
import { CreatePatchBaselineCommand, OperatingSystem, type CreatePatchBaselineCommandInput } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { CliError } from '../errors.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { parseTag, repeatable } from './option-parsers.js';

interface CreateOptions extends ClientCommandOptions {
  file?: string;
  os?: string;
  description?: string;
  tag: string[];
}

/**
 * `tend patch baselines create NAME [--file rules.json]`:
 * CreatePatchBaseline. The file holds CreatePatchBaseline's members
 * (OperatingSystem, ApprovalRules, RejectedPatches, …), e.g. what
 * `tend patch baselines show` prints; the flags override it.
 */
export function registerPatchBaselinesCreate(baselines: Command): void {
  clientCommand(baselines, 'create', 'create a patch baseline, its rules from a JSON file')
    .argument('<name>', 'baseline name (3-128 of a-z A-Z 0-9 _ - .)')
    .option('--file <path>', 'the rules: CreatePatchBaseline members as JSON (what `show --json` prints works)')
    .addOption(new Option('--os <os>', 'operating system (default: the file\'s, else WINDOWS as in Systems Manager)').choices(Object.values(OperatingSystem)))
    .option('--description <text>', 'description')
    .option('--tag <key=value>', 'tag the new baseline (repeatable)', repeatable, [])
    .action(async (name: string, opts: CreateOptions) => {
      const fromFile = opts.file ? readRulesFile(opts.file) : {};
      const input: CreatePatchBaselineCommandInput = {
        ...fromFile,
        Name: name,
        ...(opts.os ? { OperatingSystem: opts.os as OperatingSystem } : {}),
        ...(opts.description ? { Description: opts.description } : {}),
        ...(opts.tag.length ? { Tags: opts.tag.map((t) => parseTag(t)) } : {}),
      };
      const { BaselineId } = await withSsm(opts, (ssm) => ssm.send(new CreatePatchBaselineCommand(input)));
      printResult(opts, { BaselineId }, () =>
        table([{ header: 'id' }, { header: 'name' }, { header: 'os' }], [[BaselineId ?? '', name, input.OperatingSystem ?? 'WINDOWS']], ''),
      );
    });
}

function readRulesFile(file: string): Partial<CreatePatchBaselineCommandInput> {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    throw new CliError('FileReadError', `cannot read ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    throw new CliError('FileFormatError', `${file} is not JSON: ${(err as Error).message}`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new CliError('FileFormatError', `${file} must hold an object of CreatePatchBaseline members`);
  // What `show --json` adds about the baseline it read is not part of a new one.
  const { BaselineId: _id, PatchGroups: _groups, CreatedDate: _created, ModifiedDate: _modified, Name: _name, ...members } = value as Record<string, unknown>;
  return members as Partial<CreatePatchBaselineCommandInput>;
}
