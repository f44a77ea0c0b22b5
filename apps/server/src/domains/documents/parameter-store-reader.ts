import { ServiceError } from '../../rpc/errors.js';
import { parseParameterReference, type ArnScope } from '../parameters/parameter-names.js';
import type { ParametersStore } from '../parameters/parameters.store.js';
import type { ParameterStoreReader } from './render-command.js';

export interface ParameterStoreReaderOptions {
  store: ParametersStore;
  scope: ArnScope;
  /**
   * Whether the caller who sends the command may read a parameter (its
   * ARN): `{{ssm:…}}` must not let someone run a command that reads a
   * parameter they could not read themselves.
   */
  canRead(arn: string): boolean;
}

/** `{{ssm:…}}` resolution for renderCommand, from Parameter Store, on the caller's permissions. */
export function parameterStoreReader(options: ParameterStoreReaderOptions): ParameterStoreReader {
  const { store, scope } = options;
  return async (reference) => {
    let ref;
    try {
      ref = parseParameterReference(reference, scope);
    } catch {
      return undefined;
    }
    const arn = store.arn(ref.name);
    if (!options.canRead(arn)) {
      throw new ServiceError('AccessDeniedException', `The caller is not authorized to perform ssm:GetParameters on resource: ${arn}, which the command refers to.`);
    }
    const found = await store.find(ref.nameKey, ref.selector);
    if ('missing' in found) return undefined;
    return { value: store.reveal(found.record, true), type: found.record.type };
  };
}
