import { Command } from 'commander';
import { TEND_VERSION } from '@tend/server';
import { registerServerCommand } from './commands/server.js';

const program = new Command();
program.name('tend').description('Tend: a self-hosted systems manager that speaks the AWS Systems Manager API').version(TEND_VERSION);
registerServerCommand(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`tend: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
