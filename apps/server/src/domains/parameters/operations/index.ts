import type { Operation } from '../../../rpc/operation.js';
import { deleteParameter } from './delete-parameter.js';
import { deleteParameters } from './delete-parameters.js';
import { describeParameters } from './describe-parameters.js';
import { getParameter } from './get-parameter.js';
import { getParameterHistory } from './get-parameter-history.js';
import { getParameters } from './get-parameters.js';
import { getParametersByPath } from './get-parameters-by-path.js';
import { labelParameterVersion } from './label-parameter-version.js';
import { putParameter } from './put-parameter.js';
import { unlabelParameterVersion } from './unlabel-parameter-version.js';

/** Parameter Store, one operation per file. */
export const parameterOperations: Operation[] = [
  putParameter,
  getParameter,
  getParameters,
  getParametersByPath,
  describeParameters,
  getParameterHistory,
  deleteParameter,
  deleteParameters,
  labelParameterVersion,
  unlabelParameterVersion,
];
