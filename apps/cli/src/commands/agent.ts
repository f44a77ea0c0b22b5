import path from 'node:path';
import type { Command } from 'commander';
import { describeError } from '../errors.js';

interface AgentCommandOptions {
  server?: string;
  activationId?: string;
  activationCode?: string;
  stateDir: string;
  name?: string;
  systemRoot?: string;
  rebootCommand?: string;
  logLevel?: string;
}

const LOG_LEVEL_HELP = 'debug, info, warn, error or silent (default: TEND_LOG_LEVEL, else info); logs are JSON lines on stderr';

/**
 * An AbortSignal that SIGTERM or SIGINT abort, for the long-running agent
 * commands: they stop by closing their connections rather than exiting
 * mid-write.
 */
export function abortOnSignals(onSignal: (signal: NodeJS.Signals) => void): AbortSignal {
  const controller = new AbortController();
  const stop = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    onSignal(signal);
    controller.abort();
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return controller.signal;
}

/** `tend agent`: the agent on this machine, in the foreground until SIGTERM/SIGINT (systemd runs it the same way). */
export function registerAgentCommand(program: Command): void {
  program
    .command('agent')
    .description('run the Tend agent: register this machine with an activation on its first start, then stay connected to the server')
    .option('--server <url>', 'Tend server URL, e.g. http://tend.example.com:8700 (needed on the first start; later the saved one is used unless given)')
    .option('--activation-id <id>', 'activation id (first start only: a registered node ignores it)')
    .option('--activation-code <code>', 'activation code (first start only, never stored; TEND_ACTIVATION_CODE keeps it out of the process list)')
    .requiredOption('--state-dir <dir>', 'where the node id and its Ed25519 key are kept (dir mode 0700, file mode 0600)')
    .option('--name <name>', "node name, shown as Name (default: the activation's DefaultInstanceName)")
    .option('--system-root <dir>', 'root of the managed system: PlatformName/PlatformVersion come from <dir>/etc/os-release, and patching runs chrooted into it (default /)')
    .option('--reboot-command <cmd>', 'shell command that reboots the node when a patch install needs it (RebootIfNeeded); runs on this machine with TEND_SYSTEM_ROOT set (default: systemctl reboot, else /sbin/reboot)')
    .option('--log-level <level>', LOG_LEVEL_HELP)
    .addHelpText(
      'after',
      `
The first start registers the machine (a node id mi-… is saved in the state dir)
and every later start with the same state dir reconnects without registering.
The agent keeps one WebSocket to <server>/agent/v1, sends heartbeats, and
reconnects by itself after a network cut or a server restart.

Environment:
  TEND_ACTIVATION_CODE   activation code, instead of --activation-code
  TEND_LOG_LEVEL         log level, instead of --log-level
  TEND_AGENT_SUPERVISED  true when a supervisor (the systemd unit install.sh
                         writes) restarts the agent; AWS-UpdateSSMAgent needs it
                         to replace the running agent
  TEND_AGENT_UPDATE_TIMEOUT_SECONDS
                         how long an updated agent has to connect before the
                         previous one is restored (default 60)

Exit status:
  0    stopped by SIGTERM or SIGINT
  77   refused by the server: activation invalid, expired or used up, or node
       deregistered (do not restart; use RestartPreventExitStatus=77 in systemd)
  1    any other error`,
    )
    .action(async (opts: AgentCommandOptions) => {
      // Loaded here so other commands do not pay for the agent's modules.
      const agent = await import('@tend/agent');
      const logger = agent.createLogger({ level: agent.parseLogLevel(opts.logLevel ?? process.env.TEND_LOG_LEVEL) });
      const signal = abortOnSignals((name) => logger.info('stopping', { signal: name }));
      try {
        await agent.runAgent({
          // Absolute: scripts run with their own working directory, and must still find files under the state dir.
          stateDir: path.resolve(opts.stateDir),
          serverUrl: opts.server,
          activationId: opts.activationId,
          activationCode: opts.activationCode ?? (process.env.TEND_ACTIVATION_CODE || undefined),
          name: opts.name,
          systemRoot: opts.systemRoot,
          rebootCommand: opts.rebootCommand,
          signal,
          logger,
        });
      } catch (err) {
        if (err instanceof agent.RegistrationRefusedError || err instanceof agent.AgentRejectedError) {
          process.stderr.write(`tend: ${describeError(err)}\n`);
          process.exit(agent.EXIT_REFUSED);
        }
        if (!signal.aborted) throw err;
      }
      logger.info('stopped');
      process.exit(0);
    });
}
