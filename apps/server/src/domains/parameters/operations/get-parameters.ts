import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { ServiceError } from '../../../rpc/errors.js';
import { parameterOutput } from '../parameter-output.js';
import { arnForName, parameterNameField, readReference } from './common.js';

const input = z.object({
  Names: z.array(parameterNameField).min(1).max(10),
  WithDecryption: z.boolean().optional(),
});

/**
 * GetParameters: up to ten names at once. A name that is not found (or
 * whose version or label is not) is listed in InvalidParameters instead of
 * failing the call; results come in name order.
 */
export const getParameters = defineOperation({
  service: 'AmazonSSM',
  name: 'GetParameters',
  action: 'ssm:GetParameters',
  input,
  mutating: false,
  resources: (i, ctx) => [...new Set(i.Names.map((name) => arnForName(ctx, name)))],
  async run(i, ctx) {
    const parameters: ReturnType<typeof parameterOutput>[] = [];
    const invalid: string[] = [];
    for (const name of new Set(i.Names)) {
      try {
        const { ref, record, value } = await readReference(ctx, name, i.WithDecryption ?? false);
        parameters.push(parameterOutput(record, value, ref.selectorText));
      } catch (err) {
        if (!(err instanceof ServiceError) || err.type === 'InternalServerError') throw err;
        invalid.push(name);
      }
    }
    parameters.sort((a, b) => (a.Name < b.Name ? -1 : a.Name > b.Name ? 1 : 0));
    return { Parameters: parameters, InvalidParameters: invalid };
  },
});
