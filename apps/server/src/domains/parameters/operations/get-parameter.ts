import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { parameterOutput } from '../parameter-output.js';
import { arnForName, parameterNameField, readReference } from './common.js';

const input = z.object({
  Name: parameterNameField,
  WithDecryption: z.boolean().optional(),
});

/** GetParameter: one parameter by name or ARN, optionally `name:version` or `name:label`. */
export const getParameter = defineOperation({
  service: 'AmazonSSM',
  name: 'GetParameter',
  action: 'ssm:GetParameter',
  input,
  mutating: false,
  resources: (i, ctx) => [arnForName(ctx, i.Name)],
  async run(i, ctx) {
    const { ref, record, value } = await readReference(ctx, i.Name, i.WithDecryption ?? false);
    return { Parameter: parameterOutput(record, value, ref.selectorText) };
  },
});
