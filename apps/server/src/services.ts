import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { ServerConfig } from './config.js';
import type { Database } from './storage/schema.js';
import type { Dialect } from './storage/database.js';
import type { SecretBox } from './security/secret-box.js';
import type { IamStore } from './domains/iam/iam.store.js';
import type { AuditStore } from './domains/audit/audit.store.js';
import type { ParametersStore } from './domains/parameters/parameters.store.js';

/** Everything an operation may use, built once at start-up. */
export interface Services {
  config: ServerConfig;
  db: Kysely<Database>;
  dialect: Dialect;
  secrets: SecretBox;
  logger: Logger;
  iam: IamStore;
  audit: AuditStore;
  parameters: ParametersStore;
  /** Server version, published as /tend/service/server/version. */
  version: string;
}
