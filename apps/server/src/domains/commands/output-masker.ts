import { maskSecrets } from '../documents/render-command.js';

/**
 * Masks SecureString values in output that arrives in chunks. A secret may
 * straddle two chunks, so the last (longest secret - 1) characters of what
 * arrived are held back until the next chunk or the end of the stream:
 * no prefix of a secret is ever written before the rest is seen.
 */
export class OutputMasker {
  private carry = '';
  private readonly holdBack: number;

  constructor(private readonly secrets: readonly string[]) {
    this.holdBack = Math.max(0, ...secrets.map((s) => s.length - 1));
  }

  /** The text safe to store now. */
  push(chunk: string): string {
    if (this.secrets.length === 0) return chunk;
    const text = maskSecrets(this.carry + chunk, [...this.secrets]);
    // Hold back a tail that could be the start of a secret; the masked part before it is final.
    const cut = Math.max(0, text.length - this.holdBack);
    this.carry = text.slice(cut);
    return text.slice(0, cut);
  }

  /** What was held back, at the end of the stream. */
  end(): string {
    const rest = this.carry;
    this.carry = '';
    return rest;
  }
}

/**
 * Masks the head of a stream (the first `limit` characters an agent reports
 * in its result). A head that was cut may end with the first characters of
 * a secret whose rest was cut away, which maskSecrets cannot recognise; when
 * the head is `limit` long, such a trailing piece is masked too. Masking a
 * few characters too many at the end of a cut head costs nothing; leaving
 * half a secret there would be a leak.
 */
export function maskHead(text: string, secrets: readonly string[], limit: number): string {
  if (secrets.length === 0) return text;
  const masked = maskSecrets(text, [...secrets]);
  if (text.length < limit) return masked;
  let piece = 0;
  for (const secret of secrets) {
    for (let n = Math.min(secret.length - 1, masked.length); n > piece; n--) {
      if (masked.endsWith(secret.slice(0, n))) {
        piece = n;
        break;
      }
    }
  }
  return piece ? `${masked.slice(0, masked.length - piece)}****` : masked;
}
