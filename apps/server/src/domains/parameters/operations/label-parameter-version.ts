import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { isValidLabel } from '../parameter-names.js';
import { MAX_VERSION_NUMBER } from '../parameters.store.js';
import { arnForName, changeOf, parameterNameField, storeOf, writableReference } from './common.js';

const input = z.object({
  Name: parameterNameField,
  ParameterVersion: z.number().int().min(1).max(MAX_VERSION_NUMBER).optional(),
  Labels: z.array(z.string()).min(1).max(10),
});

/**
 * LabelParameterVersion: attaches labels to a version (the latest by
 * default). Labels that break the label rules are returned in
 * InvalidLabels rather than failing the call; a label already on another
 * version moves to this one.
 */
export const labelParameterVersion = defineOperation({
  service: 'AmazonSSM',
  name: 'LabelParameterVersion',
  action: 'ssm:LabelParameterVersion',
  input,
  mutating: true,
  resources: (i, ctx) => [arnForName(ctx, i.Name)],
  async run(i, ctx) {
    const store = storeOf(ctx);
    const ref = writableReference(ctx, i.Name, 'ssm:LabelParameterVersion');
    const labels = [...new Set(i.Labels)];
    const valid = labels.filter(isValidLabel);
    const version = await store.label(ref.nameKey, i.ParameterVersion, valid, changeOf(ctx));
    return { InvalidLabels: labels.filter((label) => !isValidLabel(label)), ParameterVersion: version };
  },
});
