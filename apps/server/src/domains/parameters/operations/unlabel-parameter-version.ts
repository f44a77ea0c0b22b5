import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { MAX_VERSION_NUMBER } from '../parameters.store.js';
import { arnForName, changeOf, parameterNameField, storeOf, writableReference } from './common.js';

const input = z.object({
  Name: parameterNameField,
  ParameterVersion: z.number().int().min(1).max(MAX_VERSION_NUMBER),
  Labels: z.array(z.string()).min(1).max(10),
});

/** UnlabelParameterVersion: removes labels from one version; labels not on it come back in InvalidLabels. */
export const unlabelParameterVersion = defineOperation({
  service: 'AmazonSSM',
  name: 'UnlabelParameterVersion',
  action: 'ssm:UnlabelParameterVersion',
  input,
  mutating: true,
  resources: (i, ctx) => [arnForName(ctx, i.Name)],
  async run(i, ctx) {
    const store = storeOf(ctx);
    const ref = writableReference(ctx, i.Name, 'ssm:UnlabelParameterVersion');
    const { removed, notOnVersion } = await store.unlabel(ref.nameKey, i.ParameterVersion, [...new Set(i.Labels)], changeOf(ctx));
    return { RemovedLabels: removed, InvalidLabels: notOnVersion };
  },
});
