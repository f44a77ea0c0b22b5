import { z } from 'zod';
import { defineOperation } from '../../../rpc/operation.js';
import { ServiceError, validationError } from '../../../rpc/errors.js';
import { decodeNextToken, encodeNextToken, queryFingerprint } from '../../../rpc/page-token.js';
import type { NodeCondition, NodeRecord } from '../nodes.store.js';
import { PING_STATUSES } from '../node-events.js';
import { epochSeconds } from './node-operation.js';

/** Every Tend node is a hybrid managed node: this is its resource and source type. */
const RESOURCE_TYPE = 'ManagedInstance';
const SOURCE_TYPE = 'AWS::SSM::ManagedInstance';

const COLUMN_KEYS = {
  InstanceIds: 'instance_id',
  AgentVersion: 'agent_version',
  PingStatus: 'ping_status',
  PlatformTypes: 'platform_type',
  ActivationIds: 'activation_id',
  IamRole: 'iam_role',
} as const;
/** Keys of the legacy InstanceInformationFilterList (the InstanceInformationFilterKey enum). */
const LEGACY_KEYS = [...Object.keys(COLUMN_KEYS), 'ResourceType', 'AssociationStatus'];
/** Filters also takes SourceIds, SourceTypes, `tag:<key>` and `tag-key`. */
const STRING_KEYS = [...LEGACY_KEYS, 'SourceIds', 'SourceTypes'];

/** Values a key accepts, where the set is closed; anything else is InvalidInstanceInformationFilterValue. */
const ALLOWED_VALUES: Record<string, readonly string[]> = {
  PingStatus: PING_STATUSES,
  PlatformTypes: ['Windows', 'Linux', 'MacOS'],
  ResourceType: ['EC2Instance', RESOURCE_TYPE],
  AssociationStatus: ['Success', 'Pending', 'Failed'],
  SourceTypes: ['AWS::EC2::Instance', SOURCE_TYPE, 'AWS::IoT::Thing', 'Microsoft.Compute/virtualMachines', 'compute.googleapis.com/Instance'],
};

const values = z.array(z.string().min(1).max(1000)).min(1).max(100);

const input = z.object({
  // Keys are checked in run, so an unknown one is InvalidFilterKey as the SDK documents.
  InstanceInformationFilterList: z.array(z.object({ key: z.string().min(1).max(128), valueSet: values })).max(50).optional(),
  Filters: z.array(z.object({ Key: z.string().min(1).max(128), Values: values })).max(50).optional(),
  MaxResults: z.number().int().min(5).max(50).optional(),
  NextToken: z.string().min(1).max(1024).optional(),
});

/**
 * DescribeInstanceInformation: the managed nodes, in id order, with their
 * connection status and what their agents report. Different filters must
 * all hold; the values of one filter are alternatives.
 */
export const describeInstanceInformation = defineOperation({
  service: 'AmazonSSM',
  name: 'DescribeInstanceInformation',
  action: 'ssm:DescribeInstanceInformation',
  mutating: false,
  input,
  resources: () => [],
  async run(i, ctx) {
    if (i.InstanceInformationFilterList && i.Filters) {
      throw validationError('InstanceInformationFilterList and Filters cannot be used in one request; use Filters');
    }
    const filters = i.Filters ?? (i.InstanceInformationFilterList ?? []).map((f) => ({ Key: f.key, Values: f.valueSet }));
    const conditions = filters.flatMap((f) => conditionFor(f.Key, f.Values, i.Filters ? STRING_KEYS : LEGACY_KEYS) ?? []);
    const limit = i.MaxResults ?? 10;
    const fingerprint = queryFingerprint(['DescribeInstanceInformation', filters]);
    const after = decodeNextToken<string>(i.NextToken, fingerprint, 'string');
    const rows = await ctx.services.nodes.list({ conditions, after, limit });
    const page = rows.slice(0, limit);
    const latest = ctx.services.version;
    return {
      InstanceInformationList: page.map((n) => instanceShape(n, latest)),
      NextToken: rows.length > limit ? encodeNextToken(page[page.length - 1]!.instanceId, fingerprint) : undefined,
    };
  },
});

/** The condition a filter sets; undefined when every Tend node satisfies it. */
function conditionFor(key: string, values: string[], allowedKeys: string[]): NodeCondition | undefined {
  if (key.startsWith('tag:') && allowedKeys === STRING_KEYS) {
    const tagKey = key.slice(4);
    if (!tagKey) throw new ServiceError('InvalidFilterKey', 'The tag filter key needs a tag key after tag:');
    return { kind: 'tag', key: tagKey, values };
  }
  if (key === 'tag-key' && allowedKeys === STRING_KEYS) return { kind: 'tagKey', keys: values };
  if (!allowedKeys.includes(key)) {
    throw new ServiceError('InvalidFilterKey', `The filter key ${key} isn't valid; valid keys: ${allowedKeys.join(', ')}${allowedKeys === STRING_KEYS ? ', tag:<key>, tag-key' : ''}`);
  }
  const allowed = ALLOWED_VALUES[key];
  const wrong = allowed ? values.find((v) => !allowed.includes(v)) : undefined;
  if (wrong !== undefined) {
    throw new ServiceError('InvalidInstanceInformationFilterValue', `The filter value ${wrong} isn't valid for ${key}; valid values: ${allowed!.join(', ')}`);
  }
  switch (key) {
    case 'ResourceType':
      return values.includes(RESOURCE_TYPE) ? undefined : { kind: 'none' };
    case 'SourceTypes':
      return values.includes(SOURCE_TYPE) ? undefined : { kind: 'none' };
    case 'SourceIds':
      return { kind: 'column', column: 'instance_id', values };
    // Tend runs no associations yet: no node has an association status to match.
    case 'AssociationStatus':
      return { kind: 'none' };
    default:
      return { kind: 'column', column: COLUMN_KEYS[key as keyof typeof COLUMN_KEYS], values };
  }
}

function instanceShape(n: NodeRecord, latestAgentVersion: string) {
  const optional = (name: string, value: string | null) => (value === null ? {} : { [name]: value });
  return {
    InstanceId: n.instanceId,
    PingStatus: n.pingStatus,
    LastPingDateTime: epochSeconds(n.lastPingAt),
    ...optional('AgentVersion', n.agentVersion),
    ...(n.agentVersion !== null ? { IsLatestVersion: n.agentVersion === latestAgentVersion } : {}),
    ...optional('PlatformType', n.platformType),
    ...optional('PlatformName', n.platformName),
    ...optional('PlatformVersion', n.platformVersion),
    ActivationId: n.activationId,
    ...optional('IamRole', n.iamRole),
    RegistrationDate: epochSeconds(n.registeredAt),
    ResourceType: RESOURCE_TYPE,
    ...optional('Name', n.name),
    ...optional('IPAddress', n.ipAddress),
    ...optional('ComputerName', n.computerName),
    SourceId: n.instanceId,
    SourceType: SOURCE_TYPE,
  };
}
