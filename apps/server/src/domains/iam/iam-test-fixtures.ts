import type { TestServer } from '../../testing/test-server.js';
import { parameterNameKey, parameterParentPath } from '../parameters/parameter-names.js';

/** A policy document from statements, as a client would send it. */
export function policyDocument(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

/** Creates a user, optionally with one inline policy, and an access key; returns clients signed with that key. */
export async function createUserWithKey(t: TestServer, userName: string, policy?: string) {
  await t.api.tend('CreateUser', { UserName: userName });
  if (policy !== undefined) await t.api.tend('PutUserPolicy', { UserName: userName, PolicyName: 'main', PolicyDocument: policy });
  const { AccessKey } = await t.api.tend('CreateAccessKey', { UserName: userName });
  const credentials = { accessKeyId: AccessKey.AccessKeyId as string, secretAccessKey: AccessKey.SecretAccessKey as string };
  return { userName, credentials, ...t.clientsFor(credentials) };
}

/**
 * Creates a String parameter through PutParameter, or, while Parameter
 * Store's operations are not served yet, by writing its rows directly.
 */
export async function putTestParameter(t: TestServer, name: string, value: string): Promise<void> {
  try {
    await t.api.ssm('PutParameter', { Name: name, Value: value, Type: 'String', Overwrite: true });
    return;
  } catch (err) {
    if ((err as Error).name !== 'UnknownOperationException') throw err;
  }
  const key = parameterNameKey(name);
  const now = Date.now();
  const common = { type: 'String', key_id: null, description: null, allowed_pattern: null, tier: 'Standard', data_type: 'text', policies: null };
  await t.server.services.db.transaction().execute(async (trx) => {
    await trx
      .insertInto('parameters')
      .values({ ...common, name_key: key, name, parent_path: parameterParentPath(key), version: 1, last_modified_date: now, last_modified_user: 'test' })
      .execute();
    await trx
      .insertInto('parameter_versions')
      .values({ ...common, name_key: key, version: 1, value, last_modified_date: now, last_modified_user: 'test' })
      .execute();
  });
}
