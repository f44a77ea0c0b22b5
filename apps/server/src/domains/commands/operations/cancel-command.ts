import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { ServiceError } from '../../../rpc/errors.js';
import { instanceIdSchema } from '../../targets/resolve-targets.js';
import { commandIdSchema, invalidCommandId } from './common.js';

const input = z.object({
  CommandId: commandIdSchema,
  InstanceIds: z.array(instanceIdSchema).max(50).optional(),
});

/**
 * CancelCommand: asks for the command (or its invocations on some nodes) to
 * stop. It only records the request; the engine ends what has not started
 * at once and tells agents to stop the rest, so "Cancelling" is what the
 * caller sees first. Cancelling a finished command changes nothing.
 */
export const cancelCommand = defineOperation({
  service: 'AmazonSSM',
  name: 'CancelCommand',
  action: 'ssm:CancelCommand',
  input,
  mutating: true,
  resources: () => [],
  async run(i, ctx) {
    const engine = ctx.services.commands;
    const now = ctx.now.getTime();
    await engine.store.db.transaction().execute(async (trx) => {
      const command = await engine.store.find(i.CommandId, trx, true);
      if (!command) throw invalidCommandId(i.CommandId);
      const only = i.InstanceIds?.length ? [...new Set(i.InstanceIds)] : undefined;
      if (only) {
        const known = new Set(
          (await trx.selectFrom('command_invocations').select('instance_id').where('command_id', '=', i.CommandId).where('instance_id', 'in', only).execute()).map((r) => r.instance_id),
        );
        const unknown = only.filter((id) => !known.has(id));
        if (unknown.length) throw new ServiceError('InvalidInstanceId', `Command ${i.CommandId} did not target ${unknown.join(', ')}.`);
      }
      await engine.store.requestCancel(trx, i.CommandId, now, only);
    });
    engine.wake(i.CommandId);
    return {};
  },
});
