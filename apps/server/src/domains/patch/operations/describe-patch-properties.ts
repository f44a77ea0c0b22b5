import { z } from 'zod';
import { PATCH_PROPERTIES, knownPatchFilterValues, validPatchFilterKeys, type OperatingSystem, type PatchFilterKey } from '@tend/protocol';
import { defineOperation, type OperationContext } from '../../../rpc/operation.js';
import { validationError } from '../../../rpc/errors.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import { compareText, operatingSystemField } from '../patch-baseline-rules.js';
import { nodePatchPlatform } from '../node-operating-system.js';
import { nextTokenField } from './common.js';

const input = z.object({
  OperatingSystem: operatingSystemField,
  Property: z.enum(['PRODUCT', 'PRODUCT_FAMILY', 'CLASSIFICATION', 'MSRC_SEVERITY', 'PRIORITY', 'SEVERITY']),
  PatchSet: z.enum(['OS', 'APPLICATION']).optional(),
  MaxResults: z.number().int().min(1).max(50).optional(),
  NextToken: nextTokenField,
});

/**
 * DescribePatchProperties: the values a baseline filter may use for an
 * operating system. Enumerated properties (CLASSIFICATION, SEVERITY,
 * PRIORITY) answer the values Tend's baseline validation accepts. PRODUCT
 * has no fixed list (any release spelled the OS's way is valid), so it
 * answers the products of the fleet's registered nodes running that OS.
 */
export const describePatchProperties = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribePatchProperties',
  action: 'ssm:DescribePatchProperties',
  input,
  mutating: false,
  resources: () => [],
  async run(i, ctx) {
    const os = i.OperatingSystem;
    const key = i.Property as PatchFilterKey;
    if (!validPatchFilterKeys(os).includes(key)) {
      throw validationError(`Property ${key} is not valid for operating system ${os}; valid properties: ${PATCH_PROPERTIES[os].keys.join(', ')}`);
    }
    const values = key === 'PRODUCT' ? await fleetProducts(ctx, os) : [...(knownPatchFilterValues(os, key) ?? [])];
    const fingerprint = queryFingerprint(['DescribePatchProperties', os, key, i.PatchSet ?? null]);
    const start = decodeNextToken<number>(i.NextToken, fingerprint, 'number') ?? 0;
    const pageSize = i.MaxResults ?? 50;
    const page = values.slice(start, start + pageSize);
    return {
      Properties: page.map((Name) => ({ Name })),
      ...(start + pageSize < values.length ? { NextToken: encodeNextToken(start + pageSize, fingerprint) } : {}),
    };
  },
});

async function fleetProducts(ctx: OperationContext, os: OperatingSystem): Promise<string[]> {
  const rows = await ctx.services.db
    .selectFrom('managed_nodes')
    .select(['platform_name', 'platform_version'])
    .distinct()
    .where('ping_status', '!=', 'Inactive')
    .execute();
  const products = new Set<string>();
  for (const r of rows) {
    const platform = nodePatchPlatform(r.platform_name, r.platform_version);
    if (platform?.operatingSystem === os && platform.product && PATCH_PROPERTIES[os].product.test(platform.product)) products.add(platform.product);
  }
  return [...products].sort(compareText);
}
