import type { Operation } from '../../../rpc/operation.js';
import { createActivation } from './create-activation.js';
import { deleteActivation } from './delete-activation.js';
import { deregisterManagedInstance } from './deregister-managed-instance.js';
import { describeActivations } from './describe-activations.js';
import { describeInstanceInformation } from './describe-instance-information.js';

/** Managed nodes and hybrid activations, one operation per file. */
export const nodeOperations: Operation[] = [
  createActivation,
  describeActivations,
  deleteActivation,
  describeInstanceInformation,
  deregisterManagedInstance,
];
