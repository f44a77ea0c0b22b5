import { DeliveryError } from './transport.js';

/** How long a receiver has to answer, as SNS allows HTTP endpoints about 15 s. */
export const HTTP_TIMEOUT_MS = 15_000;

// Part of the receiver's answer kept in the error: enough for Slack's "invalid_payload", not a page of HTML.
const ERROR_BODY_CHARS = 200;

/**
 * POSTs `body` and resolves on a 2xx answer. Server errors, 408, 429,
 * timeouts and network failures are retryable; other statuses are the
 * receiver refusing the request (bad URL, bad token), which a retry does not
 * change. Redirects are not followed: a webhook that moved is a
 * configuration error, and following one could send the message and its
 * signature somewhere the subscriber never named.
 */
export async function postToEndpoint(
  url: string,
  body: string,
  headers: Record<string, string>,
  signal: AbortSignal,
  timeoutMs = HTTP_TIMEOUT_MS,
): Promise<void> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers,
      body,
      redirect: 'manual',
      signal: AbortSignal.any([signal, AbortSignal.timeout(timeoutMs)]),
    });
  } catch (err) {
    if (signal.aborted) throw err;
    throw new DeliveryError(networkFailure(err, timeoutMs), true);
  }
  if (response.status >= 200 && response.status < 300) {
    await response.body?.cancel().catch(() => {});
    return;
  }
  const text = await response.text().catch(() => '');
  const snippet = text.trim().slice(0, ERROR_BODY_CHARS);
  const message = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}${snippet ? `: ${snippet}` : ''}`;
  const retryable = response.status >= 500 || response.status === 408 || response.status === 429;
  throw new DeliveryError(message, retryable);
}

/** Describes a failed request without the URL (it may hold a token): the cause's code and message name the host and port at most. */
function networkFailure(err: unknown, timeoutMs: number): string {
  const e = err as { name?: string; cause?: { code?: string; message?: string } };
  if (e.name === 'TimeoutError') return `no answer within ${timeoutMs / 1000} s`;
  const cause = e.cause;
  if (cause?.code) return `${cause.code}${cause.message ? `: ${cause.message}` : ''}`;
  return `request failed: ${(err as Error).message}`;
}
