import { Command } from 'commander';
import { TEND_VERSION } from '@tend/server';
import { registerServerCommand } from './commands/server.js';
import { registerUpCommand } from './commands/up.js';
import { registerParamsCommands } from './commands/params.js';
import { describeError } from './errors.js';

const program = new Command();
program.name('tend').description('Tend: a self-hosted systems manager that speaks the AWS Systems Manager API').version(TEND_VERSION);
// Usage errors read like every other failure (`tend: …`); subcommands inherit this when they are added below.
program.configureOutput({ outputError: (text, write) => write(`tend: ${text.replace(/^error: /, '')}`) });
registerUpCommand(program);
registerServerCommand(program);
registerParamsCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`tend: ${describeError(err)}\n`);
  process.exit(1);
});
