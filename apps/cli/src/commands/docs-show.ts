import { Option, type Command } from 'commander';
import { DescribeDocumentCommand, GetDocumentCommand } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { fieldTable, formatDate, printResult } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { FILE_FORMATS, type FileFormat } from './docs-file.js';

interface ShowOptions extends ClientCommandOptions {
  version?: string;
  format?: FileFormat;
}

/**
 * `tend docs show NAME`: DescribeDocument's metadata, then GetDocument's
 * content exactly as the server answers it (the default version unless
 * --version), so it can be piped back into `tend docs update`.
 */
export function registerDocsShow(docs: Command): void {
  clientCommand(docs, 'show', 'show a document: its metadata, then its content as is')
    .argument('<name>', 'document name, e.g. AWS-RunShellScript')
    .option('--version <n>', 'document version: a number or $LATEST (default: the default version)')
    .addOption(new Option('--format <format>', 'content format (default: the one it was written in)').choices(FILE_FORMATS))
    .action(async (name: string, opts: ShowOptions) => {
      const { description, content } = await withSsm(opts, async (ssm) => {
        const [described, got] = await Promise.all([
          ssm.send(new DescribeDocumentCommand({ Name: name, DocumentVersion: opts.version })),
          ssm.send(new GetDocumentCommand({ Name: name, DocumentVersion: opts.version, DocumentFormat: opts.format })),
        ]);
        return { description: described.Document ?? {}, content: got };
      });
      printResult(opts, { Document: description, Content: content.Content, DocumentFormat: content.DocumentFormat }, () => {
        const d = description;
        const meta = fieldTable([
          ['Name', d.Name],
          ['Owner', d.Owner],
          ['Type', d.DocumentType],
          ['Version', content.DocumentVersion],
          ['VersionName', content.VersionName],
          ['Default', d.DefaultVersion],
          ['Latest', d.LatestVersion],
          ['Format', content.DocumentFormat],
          ['Schema', d.SchemaVersion],
          ['Platforms', d.PlatformTypes?.join(',')],
          ['Created', formatDate(d.CreatedDate)],
          ['Description', d.Description],
          ['Parameters', d.Parameters?.map((p) => p.Name).join(', ')],
        ]);
        const text = content.Content ?? '';
        return `${meta}\n${text}${text.endsWith('\n') ? '' : '\n'}`;
      });
    });
}
