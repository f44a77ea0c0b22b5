import { Option, type Command } from 'commander';
import {
  DescribeDocumentCommand,
  DocumentType,
  paginateListDocuments,
  type DocumentIdentifier,
  type DocumentKeyValuesFilter,
  type SSMClient,
} from '@aws-sdk/client-ssm';
import { withSsm } from '../api/ssm-client.js';
import { printResult, table } from '../output/print.js';
import { clientCommand, type ClientCommandOptions } from './client-command.js';

interface LsOptions extends ClientCommandOptions {
  owner?: string;
  type?: string;
  name?: string;
}

/** A listed document with the latest version DescribeDocument adds (ListDocuments carries only the default one). */
export type ListedDocument = DocumentIdentifier & { DefaultVersion?: string; LatestVersion?: string };

const OWNERS = ['Self', 'Amazon', 'All'];
const PAGE_SIZE = 50;

/**
 * `tend docs ls`: ListDocuments (all pages) with each document's default and
 * latest version. The listing gives the default version only, so the latest
 * costs one DescribeDocument per document, a few at a time.
 */
export function registerDocsLs(docs: Command): void {
  clientCommand(docs, 'ls', 'list documents: name, owner, type, default and latest version, format')
    .addOption(new Option('--owner <owner>', 'Self: the account\'s own; Amazon: the built-ins; All (default)').choices(OWNERS))
    .addOption(new Option('--type <type>', 'only documents of this type').choices(Object.values(DocumentType)))
    .option('--name <prefix>', 'only documents whose name starts with this')
    .action(async (opts: LsOptions) => {
      const filters: DocumentKeyValuesFilter[] = [];
      if (opts.owner) filters.push({ Key: 'Owner', Values: [opts.owner] });
      if (opts.type) filters.push({ Key: 'DocumentType', Values: [opts.type] });
      if (opts.name) filters.push({ Key: 'Name', Values: [opts.name] });
      const found = await withSsm(opts, async (ssm) => withVersions(ssm, await listAll(ssm, filters)));
      printResult(opts, { DocumentIdentifiers: found }, () =>
        table(
          [{ header: 'name' }, { header: 'owner' }, { header: 'type' }, { header: 'default', align: 'right' }, { header: 'latest', align: 'right' }, { header: 'format' }],
          found.map((d) => [d.Name ?? '', d.Owner ?? '', d.DocumentType ?? '', d.DefaultVersion ?? '', d.LatestVersion ?? '', d.DocumentFormat ?? '']),
          filters.length ? 'No documents match.' : 'No documents.',
        ),
      );
    });
}

async function listAll(ssm: SSMClient, filters: DocumentKeyValuesFilter[]): Promise<DocumentIdentifier[]> {
  const all: DocumentIdentifier[] = [];
  const input = { Filters: filters.length ? filters : undefined, MaxResults: PAGE_SIZE };
  for await (const page of paginateListDocuments({ client: ssm, pageSize: PAGE_SIZE }, input)) all.push(...(page.DocumentIdentifiers ?? []));
  return all;
}

async function withVersions(ssm: SSMClient, documents: DocumentIdentifier[], concurrency = 8): Promise<ListedDocument[]> {
  const out: ListedDocument[] = new Array(documents.length);
  let next = 0;
  const worker = async () => {
    while (next < documents.length) {
      const i = next++;
      const d = documents[i]!;
      try {
        const { Document: described } = await ssm.send(new DescribeDocumentCommand({ Name: d.Name }));
        out[i] = { ...d, DefaultVersion: described?.DefaultVersion ?? d.DocumentVersion, LatestVersion: described?.LatestVersion };
      } catch (err) {
        // Deleted between the listing and this call: it is still listed, with what the listing knew.
        if ((err as Error).name !== 'InvalidDocument') throw err;
        out[i] = { ...d, DefaultVersion: d.DocumentVersion };
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, documents.length) }, worker));
  return out;
}
