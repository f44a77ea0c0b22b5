import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { ServiceError } from '../../../rpc/errors.js';
import { arnForName, changeOf, parameterNameField, storeOf, writableReference } from './common.js';

const input = z.object({ Names: z.array(parameterNameField).min(1).max(10) });

/**
 * DeleteParameters: up to ten at once, in one transaction. Names that do
 * not exist come back in InvalidParameters; a reserved name refuses the
 * whole call before anything is deleted.
 */
export const deleteParameters = defineOperation({
  service: 'AmazonSSM',
  name: 'DeleteParameters',
  action: 'ssm:DeleteParameters',
  input,
  mutating: true,
  resources: (i, ctx) => [...new Set(i.Names.map((name) => arnForName(ctx, name)))],
  async run(i, ctx) {
    const store = storeOf(ctx);
    const keyOf = new Map<string, string | undefined>();
    for (const name of new Set(i.Names)) {
      try {
        keyOf.set(name, writableReference(ctx, name, 'ssm:DeleteParameters').nameKey);
      } catch (err) {
        if (err instanceof ServiceError && err.type === 'AccessDeniedException') throw err;
        keyOf.set(name, undefined);
      }
    }
    const keys = [...new Set([...keyOf.values()].filter((key): key is string => key !== undefined))];
    const deleted = await store.remove(keys, changeOf(ctx));
    const names = [...keyOf.keys()];
    return {
      DeletedParameters: names.filter((name) => deleted.has(keyOf.get(name) ?? '')),
      InvalidParameters: names.filter((name) => !deleted.has(keyOf.get(name) ?? '')),
    };
  },
});
