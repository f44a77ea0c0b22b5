import type { Command } from 'commander';
import { CONFIG_VARIABLES, type ServerConfig } from '@tend/server/config';

/** Flags shared by `tend server` and `tend up`. */
export interface ServerCommandOptions {
  port?: string;
  host?: string;
  dataDir?: string;
}

/** Adds the server flags and the list of environment variables to a command's help. */
export function addServerOptions(command: Command): Command {
  return command
    .option('--port <port>', 'TCP port (TEND_PORT, default 8700)')
    .option('--host <address>', 'listen address (TEND_HOST, default 127.0.0.1)')
    .option('--data-dir <dir>', 'data directory (TEND_DATA_DIR, default ./.tend)')
    .addHelpText(
      'after',
      '\nEnvironment:\n' + Object.entries(CONFIG_VARIABLES).map(([name, doc]) => `  ${name.padEnd(28)} ${doc}`).join('\n'),
    );
}

/** Flags as config overrides; unset flags stay undefined so the environment and defaults apply. */
export function serverConfigFromOptions(opts: ServerCommandOptions): Partial<ServerConfig> {
  return { port: opts.port === undefined ? undefined : Number(opts.port), host: opts.host, dataDir: opts.dataDir };
}

/** `tend server`: the control plane in the foreground until SIGTERM/SIGINT. */
export function registerServerCommand(program: Command): void {
  addServerOptions(program.command('server').description('run the Tend server (API, scheduler, agent gateway, console)')).action(
    async (opts: ServerCommandOptions) => {
      // Loaded on use: other verbs (and the agent) should not carry the server's modules.
      const { startServer } = await import('@tend/server');
      const server = await startServer({ config: serverConfigFromOptions(opts) });
      shutdownOnSignals(server.close);
      if (server.generatedRootCredentials) {
        const c = server.generatedRootCredentials;
        process.stderr.write(
          `\nRoot credentials were generated (shown once; saved with mode 0600 in ${server.config.dataDir}/credentials):\n` +
            `  AWS_ACCESS_KEY_ID=${c.accessKeyId}\n  AWS_SECRET_ACCESS_KEY=${c.secretAccessKey}\n\n`,
        );
      }
    },
  );
}

/** Closes cleanly on SIGTERM/SIGINT: stop accepting, finish in-flight requests, close the database. */
export function shutdownOnSignals(close: () => Promise<void>): void {
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`received ${signal}, shutting down\n`);
    close().then(
      () => process.exit(0),
      (err) => {
        process.stderr.write(`shutdown failed: ${String(err)}\n`);
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
