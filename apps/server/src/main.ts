import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { heartbeatSecondsFor, loadConfig, pingSweepSecondsFor, type ServerConfig, type ServerConfigInput } from './config.js';
import { openDatabase } from './storage/database.js';
import { migrate } from './storage/migrate.js';
import { SecretBox, loadMasterKey } from './security/secret-box.js';
import { IamStore, randomAlphanumeric } from './domains/iam/iam.store.js';
import { AuditStore } from './domains/audit/audit.store.js';
import { ParametersStore } from './domains/parameters/parameters.store.js';
import { ActivationsStore } from './domains/nodes/activations.store.js';
import { NodesStore } from './domains/nodes/nodes.store.js';
import { AgentGateway } from './gateway/agent-gateway.js';
import type { FailureRateLimiter } from './gateway/failure-rate-limiter.js';
import { PingSweeper } from './scheduler/ping-sweeper.js';
import { DurableTimersStore } from './scheduler/durable-timers.store.js';
import { DurableTimerLoop } from './scheduler/durable-timer-loop.js';
import { PARAMETER_POLICY_TIMER } from './domains/parameters/parameter-policies.js';
import { parameterPolicyHandler } from './domains/parameters/parameter-policy-handler.js';
import { MaintenanceWindowRunner } from './domains/maintenance-windows/window-executions.js';
import { WINDOW_EXECUTION_TIMER, WINDOW_RUN_TIMER } from './domains/maintenance-windows/window-timers.js';
import { startNotifications, type NotificationsRuntime } from './domains/notifications/notifications-runtime.js';
import { CommandEngine } from './domains/commands/command-engine.js';
import { CommandHistory } from './domains/commands/command-history.js';
import { resolvePatchBaselineInputs } from './domains/patch/effective-baseline.js';
import { PATCH_REPORT_KIND } from '@tend/protocol';
import { recordPatchReport } from './domains/patch/patch-report-handler.js';
import { CommandsStore } from './domains/commands/commands.store.js';
import { CommandOutputStore } from './domains/commands/command-output-store.js';
import { Pipeline } from './rpc/pipeline.js';
import { AGENT_RELEASES_DIR_NAME } from './gateway/agent-releases.js';
import { AGENT_RELEASE_VERSION, compareVersions } from '@tend/protocol';
import { buildOperationRegistry } from './rpc/registry.js';
import { buildHttpApp } from './http-app.js';
import type { Services } from './services.js';
import { TEND_VERSION } from './version.js';
import { writeCredentialsFile } from './credentials-file.js';

export type { RootCredentials } from './credentials-file.js';
import type { RootCredentials } from './credentials-file.js';

export interface RunningServer {
  /** e.g. http://127.0.0.1:8700 */
  url: string;
  port: number;
  config: ServerConfig;
  services: Services;
  /** This replica's durable timer loop (parameter policies, maintenance windows); tests run it after moving the clock. */
  timers: DurableTimerLoop;
  /** Set only when this start generated the root credentials (first start without TEND_ROOT_*). */
  generatedRootCredentials?: RootCredentials;
  close(): Promise<void>;
}

export interface StartOptions {
  config?: Partial<ServerConfigInput>;
  env?: NodeJS.ProcessEnv;
  logger?: Logger;
  /** Server clock (API requests, registrations, heartbeats, ping sweeps), for tests. */
  clock?: () => Date;
  /** Override of the agent registration failure limiter, for tests. */
  registrationLimiter?: FailureRateLimiter;
}

/** config → db → migrate → bootstrap credentials → listen (DESIGN.md). */
export async function startServer(options: StartOptions = {}): Promise<RunningServer> {
  const config = loadConfig(options.config, options.env);
  const logger = options.logger ?? pino({ level: config.logLevel, base: { service: 'tend-server' } });
  fs.mkdirSync(config.dataDir, { recursive: true, mode: 0o700 });

  const secrets = new SecretBox(loadMasterKey(config.dataDir, config.masterKey));
  const storage = openDatabase({ dataDir: config.dataDir, databaseUrl: config.databaseUrl });
  const clock = options.clock ?? (() => new Date());
  let ready = false;
  let gateway: AgentGateway | undefined;
  let sweeper: PingSweeper | undefined;
  let notifications: NotificationsRuntime | undefined;
  let commands: CommandEngine | undefined;
  let history: CommandHistory | undefined;
  let timers: DurableTimerLoop | undefined;
  let windows: MaintenanceWindowRunner | undefined;
  try {
    const applied = await migrate(storage.db, storage.dialect);
    logger.info({ database: storage.location, applied }, 'database ready');

    const nodes = new NodesStore({ db: storage.db, dialect: storage.dialect });
    gateway = new AgentGateway({
      nodes,
      logger,
      clock,
      pingTimeoutSeconds: config.pingTimeoutSeconds,
      heartbeatSeconds: heartbeatSecondsFor(config.pingTimeoutSeconds),
      serverVersion: TEND_VERSION,
    });
    commands = new CommandEngine({
      store: new CommandsStore({ db: storage.db, dialect: storage.dialect }),
      secrets,
      agents: gateway,
      output: new CommandOutputStore(path.join(config.dataDir, 'command-output')),
      logger,
      clock,
      sharedDatabase: storage.dialect === 'postgres',
      // Patch Manager (issue 5): the baseline each node's aws:runPatchBaseline step gets, and what scans and installs report.
      nodeInputs: { 'aws:runPatchBaseline': resolvePatchBaselineInputs },
      reportHandlers: { [PATCH_REPORT_KIND]: recordPatchReport },
    });
    gateway.handleInvocations(commands);
    const services: Services = {
      config,
      db: storage.db,
      dialect: storage.dialect,
      secrets,
      logger,
      version: TEND_VERSION,
      iam: new IamStore({ db: storage.db, secrets, accountId: config.accountId }),
      audit: new AuditStore(storage.db),
      parameters: new ParametersStore({
        db: storage.db,
        secrets,
        region: config.region,
        accountId: config.accountId,
        // Only on SQLite is this process the sole writer, which keeps a read cache exact.
        cacheReads: storage.dialect === 'sqlite',
        publicParameters: {
          '/tend/service/server/version': TEND_VERSION,
          '/tend/service/agent/latest-version': newestAgentVersion(config.dataDir),
        },
      }),
      activations: new ActivationsStore(storage.db),
      nodes,
      agents: gateway,
      commands,
    };
    const generatedRootCredentials = await bootstrapRootCredentials(services);

    const pipeline = new Pipeline(services, buildOperationRegistry(), clock);
    const app = buildHttpApp(services, pipeline, () => ready, { gateway, clock, registrationLimiter: options.registrationLimiter });
    await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    sweeper = new PingSweeper({
      nodes,
      logger,
      clock,
      pingTimeoutSeconds: config.pingTimeoutSeconds,
      intervalSeconds: pingSweepSecondsFor(config.pingTimeoutSeconds),
    });
    sweeper.start();
    notifications = startNotifications(services, { clock });
    commands.start();
    history = new CommandHistory({ store: commands.store, output: commands.outputStore, logger, clock, days: config.commandHistoryDays });
    history.start();
    timers = new DurableTimerLoop({
      db: storage.db,
      store: new DurableTimersStore({ db: storage.db, dialect: storage.dialect, owner: `${url}/${randomBytes(4).toString('hex')}`, leaseMs: 60_000 }),
      logger,
      now: () => clock().getTime(),
    });
    timers.handle(PARAMETER_POLICY_TIMER, parameterPolicyHandler({ parameters: services.parameters, scope: { region: config.region, accountId: config.accountId } }));
    windows = new MaintenanceWindowRunner({ services, clock });
    timers.handle(WINDOW_RUN_TIMER, windows.runHandler);
    timers.handle(WINDOW_EXECUTION_TIMER, windows.executionHandler);
    timers.start();
    ready = true;
    logger.info({ url, version: TEND_VERSION }, 'tend server listening');

    if (generatedRootCredentials) writeCredentialsFile(config.dataDir, generatedRootCredentials, config.region, url);

    let closed = false;
    return {
      url,
      port,
      config,
      services,
      timers,
      generatedRootCredentials,
      async close() {
        if (closed) return;
        closed = true;
        ready = false;
        await sweeper?.stop();
        await timers?.stop();
        await windows?.stop();
        await notifications?.stop();
        await history?.stop();
        await commands?.stop();
        // Agent sockets first: the HTTP server does not finish closing while upgraded sockets are open.
        await gateway?.close();
        await app.close();
        await storage.close();
      },
    };
  } catch (err) {
    await sweeper?.stop().catch(() => {});
    await timers?.stop().catch(() => {});
    await windows?.stop().catch(() => {});
    await notifications?.stop().catch(() => {});
    await history?.stop().catch(() => {});
    await commands?.stop().catch(() => {});
    await gateway?.close().catch(() => {});
    await storage.close().catch(() => {});
    throw err;
  }
}

/**
 * The newest agent the server offers at start-up: its own, or a release an
 * operator put in <data dir>/agent-releases/<version>/ (see docs/agent-install.md).
 */
function newestAgentVersion(dataDir: string): string {
  let versions: string[] = [];
  try {
    versions = fs
      .readdirSync(path.join(dataDir, AGENT_RELEASES_DIR_NAME))
      .filter((name) => AGENT_RELEASE_VERSION.test(name) && fs.existsSync(path.join(dataDir, AGENT_RELEASES_DIR_NAME, name, 'tend-agent.cjs')));
  } catch {
    // No release dir: only the server's own agent.
  }
  return [TEND_VERSION, ...versions].reduce((newest, v) => (compareVersions(v, newest) > 0 ? v : newest));
}

/**
 * Fixed root credentials from the config replace any earlier root key;
 * otherwise a root key is generated on the very first start only.
 */
async function bootstrapRootCredentials(services: Services): Promise<RootCredentials | undefined> {
  const { config, iam, db } = services;
  if (config.rootAccessKeyId && config.rootSecretAccessKey) {
    await db.deleteFrom('iam_access_keys').where('user_name', 'is', null).where('access_key_id', '!=', config.rootAccessKeyId).execute();
    await iam.putRootKey(config.rootAccessKeyId, config.rootSecretAccessKey);
    return undefined;
  }
  if (await iam.hasRootKey()) return undefined;
  const credentials = {
    accessKeyId: `AKIA${randomAlphanumeric(16)}`,
    secretAccessKey: randomBytes(30).toString('base64').replace(/[+/]/g, 'Z'),
  };
  await iam.putRootKey(credentials.accessKeyId, credentials.secretAccessKey);
  return credentials;
}

