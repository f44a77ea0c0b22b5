import { Command } from 'commander';
import { TEND_VERSION } from '@tend/server/version';
import { registerServerCommand } from './commands/server.js';
import { registerUpCommand } from './commands/up.js';
import { registerParamsCommands } from './commands/params.js';
import { registerNodesCommands } from './commands/nodes.js';
import { registerActivationsCommands } from './commands/activations.js';
import { registerDocsCommands } from './commands/docs.js';
import { registerTopicsCommands } from './commands/topics.js';
import { registerRunCommand } from './commands/run.js';
import { registerCommandsCommands } from './commands/commands.js';
import { registerAgentCommand } from './commands/agent.js';
import { registerSimCommand } from './commands/sim.js';
import { registerPatchCommands } from './commands/patch.js';
import { registerWindowsCommands } from './commands/windows.js';
import { registerOpsCommands } from './commands/ops.js';
import { describeError } from './errors.js';

const program = new Command();
program.name('tend').description('Tend: a self-hosted systems manager that speaks the AWS Systems Manager API').version(TEND_VERSION);
// Root options only before the noun, so a verb may have its own `--version` (`tend docs show NAME --version 2`).
program.enablePositionalOptions();
// Usage errors read like every other failure (`tend: …`); subcommands inherit this when they are added below.
program.configureOutput({ outputError: (text, write) => write(`tend: ${text.replace(/^error: /, '')}`) });
registerUpCommand(program);
registerServerCommand(program);
registerParamsCommands(program);
registerNodesCommands(program);
registerActivationsCommands(program);
registerDocsCommands(program);
registerTopicsCommands(program);
registerRunCommand(program);
registerCommandsCommands(program);
registerAgentCommand(program);
registerSimCommand(program);
registerPatchCommands(program);
registerWindowsCommands(program);
registerOpsCommands(program);

program.parseAsync(process.argv).catch((err: unknown) => {
  process.stderr.write(`tend: ${describeError(err)}\n`);
  process.exit(1);
});
