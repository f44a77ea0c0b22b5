import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { DEFAULT_MAX_ITEMS, decodeMarker, finishPage } from './iam-paging.js';
import { pagingMembers, pathPrefixSchema, userShape } from './iam-schemas.js';

/** ListUsers: users ordered by name, optionally under a path prefix, paged with Marker/MaxItems. */
export const listUsers = defineOperation({
  service: 'Tend',
  name: 'ListUsers',
  action: 'iam:ListUsers',
  mutating: false,
  input: z.object({ PathPrefix: pathPrefixSchema.optional(), ...pagingMembers }),
  resources: () => [],
  async run(input, ctx) {
    const limit = input.MaxItems ?? DEFAULT_MAX_ITEMS;
    const rows = await ctx.services.iam.listUsers({ pathPrefix: input.PathPrefix, after: decodeMarker(input.Marker), limit: limit + 1 });
    const page = finishPage(rows, limit, (u) => u.userName);
    return { Users: page.items.map((u) => userShape(u)), ...page.paging };
  },
});
