import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { ServerConfig } from './config.js';
import type { Database } from './storage/schema.js';
import type { Dialect } from './storage/database.js';
import type { SecretBox } from './security/secret-box.js';
import type { IamStore } from './domains/iam/iam.store.js';
import type { AuditStore } from './domains/audit/audit.store.js';
import type { ParametersStore } from './domains/parameters/parameters.store.js';
import type { ActivationsStore } from './domains/nodes/activations.store.js';
import type { NodesStore } from './domains/nodes/nodes.store.js';
import type { AgentConnections } from './gateway/agent-gateway.js';
import type { CommandEngine } from './domains/commands/command-engine.js';

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
  activations: ActivationsStore;
  nodes: NodesStore;
  /** Live agent connections held by this replica. */
  agents: AgentConnections;
  /** Run Command: rate control, delivery, results, output store. */
  commands: CommandEngine;
  /** Server version, published as /tend/service/server/version. */
  version: string;
}
