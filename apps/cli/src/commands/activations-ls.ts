import type { Command } from 'commander';
import { paginateDescribeActivations, type Activation } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { formatDate, formatTags, printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';

/** `tend activations ls`: every activation (DescribeActivations, all pages) with how much of it is used. */
export function registerActivationsLs(activations: Command): void {
  clientCommand(activations, 'ls', 'list activations: registrations used, expiry, tags')
    .action(async (opts: ClientCommandOptions) => {
      const found = await withSsm(opts, async (ssm) => {
        const all: Activation[] = [];
        for await (const page of paginateDescribeActivations({ client: ssm, pageSize: 50 }, {})) all.push(...(page.ActivationList ?? []));
        return all;
      });
      printResult(opts, { ActivationList: found }, () =>
        table(
          [
            { header: 'id' },
            { header: 'registrations', align: 'right' },
            { header: 'expires' },
            { header: 'default name' },
            { header: 'description', maxWidth: 40 },
            { header: 'tags', maxWidth: 40 },
          ],
          found.map((a) => [
            a.ActivationId ?? '',
            `${a.RegistrationsCount ?? 0}/${a.RegistrationLimit ?? ''}`,
            a.Expired ? 'expired' : formatDate(a.ExpirationDate),
            a.DefaultInstanceName ?? '',
            a.Description ?? '',
            formatTags(a.Tags),
          ]),
          'No activations. Create one with `tend activations create`.',
        ),
      );
    });
}
