import type { Command } from 'commander';
import { registerParamsPut } from './params-put.js';
import { registerParamsGet } from './params-get.js';
import { registerParamsLs } from './params-ls.js';
import { registerParamsHistory } from './params-history.js';
import { registerParamsRm } from './params-rm.js';

/** `tend params …`: Parameter Store through the Systems Manager API. */
export function registerParamsCommands(program: Command): void {
  const params = program.command('params').description('Parameter Store: put, get, list, history, delete');
  registerParamsPut(params);
  registerParamsGet(params);
  registerParamsLs(params);
  registerParamsHistory(params);
  registerParamsRm(params);
}
