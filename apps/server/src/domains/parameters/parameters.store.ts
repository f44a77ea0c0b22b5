import type { Kysely } from 'kysely';
import type { Database } from '../../storage/schema.js';
import type { SecretBox } from '../../security/secret-box.js';

export interface ParametersStoreOptions {
  db: Kysely<Database>;
  secrets: SecretBox;
  region: string;
  accountId: string;
  /** Values of the read-only public parameters under /tend/service/. */
  publicParameters: Record<string, string>;
  now?: () => number;
}

/** Parameter Store persistence (filled in by the parameters work). */
export class ParametersStore {
  constructor(readonly options: ParametersStoreOptions) {}
}
