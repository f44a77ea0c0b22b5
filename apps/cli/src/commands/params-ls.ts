import type { Command } from 'commander';
import {
  paginateDescribeParameters,
  paginateGetParametersByPath,
  type Parameter,
  type ParameterMetadata,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { formatDate, printResult, table } from '../output/print.js';
import { shownValue, withShownValue } from '../output/parameters.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';

interface LsOptions extends ClientCommandOptions {
  recursive?: boolean;
  decrypt?: boolean;
}

/** Values are cut in listings; `tend params get` shows one in full. */
const VALUE_WIDTH = 60;

/**
 * `tend params ls [PATH]`: with a path, the parameters under it with their
 * values (GetParametersByPath); without, every parameter's metadata
 * (DescribeParameters, which carries no values). Both follow NextToken to the end.
 */
export function registerParamsLs(params: Command): void {
  clientCommand(params, 'ls', 'list parameters: all of them (metadata), or those under PATH (with values)')
    .argument('[path]', 'hierarchy to list, e.g. /app/prod')
    .option('--recursive', 'with PATH: include every level below it, not only its direct children')
    .option('--decrypt', 'with PATH: show SecureString values in clear')
    .action(async (path: string | undefined, opts: LsOptions) => {
      if (path === undefined) {
        const found = await withSsm(opts, describeAll);
        printResult(opts, { Parameters: found }, () =>
          table(
            [{ header: 'name' }, { header: 'type' }, { header: 'version', align: 'right' }, { header: 'tier' }, { header: 'modified' }, { header: 'description', maxWidth: VALUE_WIDTH }],
            found.map((p) => [p.Name ?? '', p.Type ?? '', String(p.Version ?? ''), p.Tier ?? '', formatDate(p.LastModifiedDate), p.Description ?? '']),
            'No parameters.',
          ),
        );
        return;
      }
      const decrypted = Boolean(opts.decrypt);
      const found = await withSsm(opts, (ssm) => listPath(ssm, path, Boolean(opts.recursive), decrypted));
      printResult(opts, { Parameters: found.map((p) => withShownValue(p, decrypted)) }, () =>
        table(
          [{ header: 'name' }, { header: 'type' }, { header: 'version', align: 'right' }, { header: 'modified' }, { header: 'value', maxWidth: VALUE_WIDTH }],
          found.map((p) => [p.Name ?? '', p.Type ?? '', String(p.Version ?? ''), formatDate(p.LastModifiedDate), shownValue(p, decrypted)]),
          `No parameters under ${path}${opts.recursive ? '' : ' (use --recursive for deeper levels)'}.`,
        ),
      );
    });
}

async function describeAll(ssm: SSMClient): Promise<ParameterMetadata[]> {
  const all: ParameterMetadata[] = [];
  for await (const page of paginateDescribeParameters({ client: ssm }, {})) all.push(...(page.Parameters ?? []));
  return all;
}

async function listPath(ssm: SSMClient, path: string, recursive: boolean, decrypt: boolean): Promise<Parameter[]> {
  const all: Parameter[] = [];
  for await (const page of paginateGetParametersByPath({ client: ssm }, { Path: path, Recursive: recursive, WithDecryption: decrypt })) {
    all.push(...(page.Parameters ?? []));
  }
  return all;
}
