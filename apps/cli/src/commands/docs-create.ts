import { Option, type Command } from 'commander';
import { CreateDocumentCommand, DocumentType } from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';
import { FILE_FORMATS, readDocumentFile, type FileFormat } from './docs-file.js';
import { parseTag, repeatable } from './option-parsers.js';

interface CreateOptions extends ClientCommandOptions {
  file: string;
  type: DocumentType;
  format?: FileFormat;
  versionName?: string;
  tag: string[];
}

/** `tend docs create NAME --file PATH`: CreateDocument from a JSON or YAML file. */
export function registerDocsCreate(docs: Command): void {
  clientCommand(docs, 'create', 'create a document from a JSON or YAML file')
    .argument('<name>', 'document name (not starting with AWS-, Amazon or aws)')
    .requiredOption('--file <path>', 'the document content')
    .addOption(new Option('--type <type>', 'document type').choices(Object.values(DocumentType)).default('Command'))
    .addOption(new Option('--format <format>', 'content format (default: from the file extension)').choices(FILE_FORMATS))
    .option('--version-name <name>', 'a name for this version')
    .option('--tag <key=value>', 'tag the new document (repeatable)', repeatable, [])
    .action(async (name: string, opts: CreateOptions) => {
      const file = readDocumentFile(opts.file, opts.format);
      const { DocumentDescription: d = {} } = await withSsm(opts, (ssm) =>
        ssm.send(
          new CreateDocumentCommand({
            Name: name,
            Content: file.content,
            DocumentFormat: file.format,
            DocumentType: opts.type,
            VersionName: opts.versionName,
            Tags: opts.tag.length ? opts.tag.map((t) => parseTag(t)) : undefined,
          }),
        ),
      );
      printResult(opts, { DocumentDescription: d }, () =>
        table(
          [{ header: 'name' }, { header: 'version', align: 'right' }, { header: 'type' }, { header: 'format' }],
          [[d.Name ?? name, d.DocumentVersion ?? '', d.DocumentType ?? '', d.DocumentFormat ?? '']],
          '',
        ),
      );
    });
}
