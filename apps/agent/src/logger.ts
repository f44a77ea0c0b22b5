/**
 * A JSON-lines logger with pino's field names (level as a number, time in
 * ms, msg), so agent and server logs can go through the same tools. The
 * agent keeps its own because pino would be its largest dependency and
 * the agent needs a tenth of it.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error' | 'silent';

const LEVELS: Record<LogLevel, number> = { debug: 20, info: 30, warn: 40, error: 50, silent: Infinity };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  /** A logger whose lines all carry `bindings` (e.g. the instance id). */
  child(bindings: Record<string, unknown>): Logger;
}

export interface LoggerOptions {
  level?: LogLevel;
  /** Where lines go; stderr by default so stdout stays free for command output. */
  write?: (line: string) => void;
  bindings?: Record<string, unknown>;
}

/** Errors do not survive JSON.stringify; keep their name and message (never a stack in normal logs). */
function serializable(fields: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(fields)) {
    out[key] = value instanceof Error ? { type: value.name, message: value.message } : value;
  }
  return out;
}

/** Creates a logger writing one JSON object per line. */
export function createLogger(options: LoggerOptions = {}): Logger {
  const threshold = LEVELS[options.level ?? 'info'];
  const write = options.write ?? ((line: string) => process.stderr.write(line));
  const bindings = options.bindings ?? {};
  const at = (level: Exclude<LogLevel, 'silent'>) => (msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold) return;
    const entry = { level: LEVELS[level], time: Date.now(), ...bindings, ...(fields && serializable(fields)), msg };
    write(JSON.stringify(entry) + '\n');
  };
  return {
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
    child: (more) => createLogger({ ...options, bindings: { ...bindings, ...more } }),
  };
}

/** Swallows everything: the default for library callers that pass no logger. */
export const silentLogger: Logger = createLogger({ level: 'silent' });

/** Parses a level name from the command line or environment. */
export function parseLogLevel(value: string | undefined): LogLevel {
  if (value === undefined || value === '') return 'info';
  if (value in LEVELS) return value as LogLevel;
  throw new Error(`unknown log level "${value}" (debug, info, warn, error, silent)`);
}
