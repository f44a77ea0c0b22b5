import type { Operation } from '../../../rpc/operation.js';
import { sendCommand } from './send-command.js';
import { listCommands } from './list-commands.js';
import { listCommandInvocations } from './list-command-invocations.js';
import { getCommandInvocation } from './get-command-invocation.js';
import { cancelCommand } from './cancel-command.js';
import { getCommandOutput } from './get-command-output.js';

export const commandOperations: Operation[] = [sendCommand, listCommands, listCommandInvocations, getCommandInvocation, cancelCommand, getCommandOutput];
