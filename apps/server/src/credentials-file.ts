import fs from 'node:fs';
import path from 'node:path';

export interface RootCredentials {
  accessKeyId: string;
  secretAccessKey: string;
}

/** AWS shared-credentials format, so `AWS_SHARED_CREDENTIALS_FILE=.tend/credentials aws ssm …` works too. */
export function writeCredentialsFile(dataDir: string, creds: RootCredentials, region: string, endpoint: string): string {
  const file = path.join(dataDir, 'credentials');
  const text = [
    '# Tend root credentials, generated on first start. Keep this file private.',
    '[default]',
    `aws_access_key_id = ${creds.accessKeyId}`,
    `aws_secret_access_key = ${creds.secretAccessKey}`,
    `region = ${region}`,
    `endpoint_url = ${endpoint}`,
    '',
  ].join('\n');
  fs.writeFileSync(file, text, { mode: 0o600 });
  fs.chmodSync(file, 0o600);
  return file;
}
