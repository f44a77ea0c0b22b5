import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { arnForName, changeOf, parameterNameField, parameterNotFound, storeOf, writableReference } from './common.js';

const input = z.object({ Name: parameterNameField });

/** DeleteParameter: removes a parameter with all its versions, labels and tags. */
export const deleteParameter = defineOperation({
  service: 'AmazonSSM',
  name: 'DeleteParameter',
  action: 'ssm:DeleteParameter',
  input,
  mutating: true,
  resources: (i, ctx) => [arnForName(ctx, i.Name)],
  async run(i, ctx) {
    const store = storeOf(ctx);
    const ref = writableReference(ctx, i.Name, 'ssm:DeleteParameter');
    const deleted = await store.remove([ref.nameKey], changeOf(ctx));
    if (!deleted.has(ref.nameKey)) throw parameterNotFound(ref.name);
    return {};
  },
});
