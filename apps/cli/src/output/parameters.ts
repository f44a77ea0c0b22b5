import type { Parameter, ParameterHistory } from '@aws-sdk/client-ssm';

/** What a SecureString value looks like when it was not decrypted. */
export const ENCRYPTED = '(encrypted)';

/**
 * The value to show for a parameter. Without `--decrypt` the API answers a
 * SecureString with ciphertext, which is useless on screen and in scripts,
 * so it is replaced by a marker in both table and JSON output.
 */
export function shownValue(p: Pick<Parameter, 'Type' | 'Value'>, decrypted: boolean): string {
  return p.Type === 'SecureString' && !decrypted ? ENCRYPTED : (p.Value ?? '');
}

/** The same record with its value replaced as in `shownValue`, for JSON output. */
export function withShownValue<T extends Parameter | ParameterHistory>(p: T, decrypted: boolean): T {
  return p.Value === undefined ? p : { ...p, Value: shownValue(p, decrypted) };
}
