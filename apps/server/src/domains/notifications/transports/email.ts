import nodemailer from 'nodemailer';
import { DeliveryError, type DeliveryTarget, type OutgoingNotification, type Transport } from './transport.js';

export interface SmtpSettings {
  /** smtp://user:password@host:587 or smtps://…:465; nodemailer's URL options (e.g. ?tls.rejectUnauthorized=false) apply. */
  url: string;
  /** From address, e.g. `Tend <tend@example.com>`. */
  from: string;
}

/** An email transport that can be closed (its SMTP connections). */
export interface EmailTransport extends Transport {
  close(): void;
}

/** Longest an email attempt may take, within the delivery lease, so a trickling server cannot outlive it. */
const EMAIL_TIMEOUT_MS = 45_000;

// Refusals of the recipient itself (550 no such mailbox … 553 bad address) do not change on retry; other
// failures, including authentication (the operator may fix TEND_SMTP_URL and restart), are retried.
const isPermanentSmtpFailure = (code: number | undefined) => code !== undefined && code >= 550 && code <= 553;

/**
 * `email` subscriptions through SMTP with nodemailer. Without SMTP settings
 * every attempt fails with a retryable error naming the variable to set, so
 * messages wait for an operator to configure it (within their retries).
 */
export function createEmailTransport(settings: SmtpSettings | undefined): EmailTransport {
  if (!settings) {
    return {
      async send() {
        throw new DeliveryError('email is not configured on the server: set TEND_SMTP_URL', true);
      },
      close() {},
    };
  }
  const transporter = nodemailer.createTransport({
    url: settings.url,
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
  return {
    async send(n: OutgoingNotification, target: DeliveryTarget, signal: AbortSignal) {
      const sending = transporter.sendMail({
        from: settings.from,
        to: target.endpoint,
        subject: n.subject ?? `Notification from ${n.topicTitle}`,
        text: emailText(n),
        headers: { 'X-Tend-Message-Id': n.messageId, 'X-Tend-Topic-Arn': n.topicArn },
      });
      // nodemailer takes no AbortSignal: on stop or timeout the attempt is abandoned (and retried), its socket times out by itself.
      const limit = AbortSignal.any([signal, AbortSignal.timeout(EMAIL_TIMEOUT_MS)]);
      const abandoned = new Promise<never>((_, reject) => {
        if (limit.aborted) reject(limit.reason);
        limit.addEventListener('abort', () => reject(limit.reason), { once: true });
      });
      try {
        await Promise.race([sending, abandoned]);
      } catch (err) {
        if (signal.aborted) throw err;
        if (limit.aborted) throw new DeliveryError(`SMTP: no answer within ${EMAIL_TIMEOUT_MS / 1000} s`, true);
        const e = err as { responseCode?: number; code?: string; message?: string };
        // nodemailer's messages name the server's reply or the socket error, never the credentials.
        throw new DeliveryError(`SMTP ${e.responseCode ?? e.code ?? 'error'}: ${e.message ?? 'sending failed'}`, !isPermanentSmtpFailure(e.responseCode));
      } finally {
        sending.catch(() => {});
      }
    },
    close() {
      transporter.close();
    },
  };
}

function emailText(n: OutgoingNotification): string {
  return [
    n.message,
    '',
    '--',
    `Sent by Tend to a subscription of ${n.topicArn}.`,
    `Message ${n.messageId}; to stop these emails, unsubscribe ${n.subscriptionArn}.`,
  ].join('\n');
}
