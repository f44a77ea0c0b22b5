/**
 * An error the CLI itself reports (no credentials, unreachable server, …),
 * named like the API's errors so every failure prints the same way:
 * `tend: <ErrorName>: <message>`.
 */
export class CliError extends Error {
  constructor(
    readonly name: string,
    message: string,
  ) {
    super(message);
  }
}

/**
 * The one-line form of any error for stderr. API errors from the SDK carry
 * the AWS error name (`__type`) as `name`; a plain `Error` (e.g. invalid
 * server configuration) has no useful name, so only its message is shown.
 * Never a stack trace.
 */
export function describeError(err: unknown): string {
  if (err instanceof Error) {
    const name = err.name && err.name !== 'Error' ? err.name : undefined;
    const message = err.message || '(no message)';
    return name ? `${name}: ${message}` : message;
  }
  return String(err);
}
