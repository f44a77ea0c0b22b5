import { ListTagsForResourceCommand, type InstanceInformation, type SSMClient, type Tag } from '@aws-sdk/client-ssm';

/** The tagging API's resource type for a managed node (mi-…). */
export const MANAGED_INSTANCE = 'ManagedInstance';

/** A node as the node verbs print it: DescribeInstanceInformation's record plus its tags. */
export type NodeWithTags = InstanceInformation & { Tags?: Tag[] };

/**
 * Tags of one node, or undefined when the node has none to show: a
 * deregistered node no longer exists for the tagging API, and one may be
 * deregistered between the listing and this call.
 */
export async function listNodeTags(ssm: SSMClient, node: InstanceInformation): Promise<Tag[] | undefined> {
  if (!node.InstanceId || node.PingStatus === 'Inactive') return undefined;
  try {
    const out = await ssm.send(new ListTagsForResourceCommand({ ResourceType: MANAGED_INSTANCE, ResourceId: node.InstanceId }));
    return out.TagList ?? [];
  } catch (err) {
    if ((err as Error).name === 'InvalidResourceId') return undefined;
    throw err;
  }
}

/**
 * Adds each node's tags. DescribeInstanceInformation carries none, so this
 * is one call per node; a few run at once so a large fleet lists in seconds
 * without flooding the server.
 */
export async function withTags(ssm: SSMClient, nodes: InstanceInformation[], concurrency = 8): Promise<NodeWithTags[]> {
  const out: NodeWithTags[] = new Array(nodes.length);
  let next = 0;
  const worker = async () => {
    while (next < nodes.length) {
      const i = next++;
      const tags = await listNodeTags(ssm, nodes[i]!);
      out[i] = tags === undefined ? nodes[i]! : { ...nodes[i]!, Tags: tags };
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, nodes.length) }, worker));
  return out;
}
