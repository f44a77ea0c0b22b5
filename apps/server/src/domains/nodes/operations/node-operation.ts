import type { OperationContext } from '../../../rpc/operation.js';
import type { ArnScope } from '../../tags/tag-resource-types.js';

/** The region and account ARNs are minted in. */
export function scopeOf(ctx: OperationContext): ArnScope {
  return { region: ctx.services.config.region, accountId: ctx.services.config.accountId };
}

/** An epoch-millisecond time as the JSON protocol's timestamp: epoch seconds. */
export function epochSeconds(ms: number): number {
  return ms / 1000;
}
