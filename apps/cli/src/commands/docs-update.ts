import { Option, type Command } from 'commander';
import { UpdateDocumentCommand } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { FILE_FORMATS, readDocumentFile, type FileFormat } from './docs-file.js';

interface UpdateOptions extends ClientCommandOptions {
  file: string;
  format?: FileFormat;
  versionName?: string;
}

/**
 * `tend docs update NAME --file PATH`: UpdateDocument on top of the latest
 * version. The new version is printed; the default version does not move.
 */
export function registerDocsUpdate(docs: Command): void {
  clientCommand(docs, 'update', 'write a new version of a document from a JSON or YAML file')
    .argument('<name>', 'document name')
    .requiredOption('--file <path>', 'the new content')
    .addOption(new Option('--format <format>', 'content format (default: from the file extension)').choices(FILE_FORMATS))
    .option('--version-name <name>', 'a name for the new version')
    .action(async (name: string, opts: UpdateOptions) => {
      const file = readDocumentFile(opts.file, opts.format);
      const { DocumentDescription: d = {} } = await withSsm(opts, (ssm) =>
        ssm.send(
          new UpdateDocumentCommand({ Name: name, Content: file.content, DocumentFormat: file.format, DocumentVersion: '$LATEST', VersionName: opts.versionName }),
        ),
      );
      printResult(opts, { DocumentDescription: d }, () =>
        table(
          [{ header: 'name' }, { header: 'version', align: 'right' }, { header: 'default', align: 'right' }, { header: 'format' }],
          [[d.Name ?? name, d.DocumentVersion ?? '', d.DefaultVersion ?? '', d.DocumentFormat ?? '']],
          '',
        ),
      );
    });
}
