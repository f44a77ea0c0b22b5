import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { assertWritable } from '../document-lookup.js';
import { documentNameSchema, documentVersionSchema, versionNameSchema } from '../document-rules.js';
import { arnOf, documentsStore, nameOf } from './common.js';

const input = z.object({
  Name: documentNameSchema,
  DocumentVersion: documentVersionSchema.optional(),
  VersionName: versionNameSchema.optional(),
  // For document types that demand it (AppConfig's); Tend stores none of those, so it changes nothing.
  Force: z.boolean().optional(),
});

/** DeleteDocument: the whole document, or one version of it other than the default one. */
export const deleteDocument = defineOperation({
  service: 'AmazonSSM',
  name: 'DeleteDocument',
  action: 'ssm:DeleteDocument',
  input,
  mutating: true,
  resources: (i, ctx) => [arnOf(ctx, i.Name)],
  async run(i, ctx) {
    const name = nameOf(ctx, i.Name);
    assertWritable(name, 'deleted');
    const oneVersion = i.DocumentVersion !== undefined || i.VersionName !== undefined;
    await documentsStore(ctx).remove(name, oneVersion ? { documentVersion: i.DocumentVersion, versionName: i.VersionName } : undefined);
    return {};
  },
});
