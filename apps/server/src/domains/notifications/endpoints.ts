import { invalidParameter } from './notification-arns.js';

/** Protocols Tend delivers to. `slack` is Tend's own (SNS has none): a Slack-compatible incoming webhook. */
export const PROTOCOLS = ['http', 'https', 'slack', 'email'] as const;
export type Protocol = (typeof PROTOCOLS)[number];

// SNS protocols Tend recognizes but does not deliver to, refused by name rather than as unknown.
const SNS_ONLY_PROTOCOLS = new Set(['email-json', 'sms', 'sqs', 'lambda', 'application', 'firehose']);

// Deliberately loose: the SMTP server is the judge of an address; this only catches what is clearly not one.
const EMAIL_ADDRESS = /^[^\s@<>,;"]+@[^\s@<>,;"]+$/;

/** The protocol, lower-cased as SNS accepts it; InvalidParameterException for anything Tend does not deliver to. */
export function parseProtocol(value: string): Protocol {
  const protocol = value.toLowerCase();
  if ((PROTOCOLS as readonly string[]).includes(protocol)) return protocol as Protocol;
  if (SNS_ONLY_PROTOCOLS.has(protocol)) throw invalidParameter(`Protocol: ${protocol} is not supported by Tend (use ${PROTOCOLS.join(', ')})`);
  throw invalidParameter(`Protocol: must be one of ${PROTOCOLS.join(', ')}`);
}

/** Checks an endpoint against its protocol. The endpoint itself is never echoed: webhook URLs carry credentials. */
export function checkEndpoint(protocol: Protocol, endpoint: string): void {
  if (protocol === 'email') {
    if (!EMAIL_ADDRESS.test(endpoint)) throw invalidParameter('Endpoint: an email subscription needs an email address');
    return;
  }
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw invalidParameter(`Endpoint: a ${protocol} subscription needs a URL`);
  }
  // Slack-compatible servers (Mattermost, Rocket.Chat, …) often sit on an internal http:// address.
  const allowed = protocol === 'slack' ? ['http:', 'https:'] : [`${protocol}:`];
  if (!allowed.includes(url.protocol) || !url.hostname) {
    throw invalidParameter(`Endpoint: a ${protocol} subscription needs an ${allowed.map((p) => `${p}//`).join(' or ')} URL`);
  }
}

/**
 * What listings show of an endpoint: email addresses as they are; URLs
 * without their secrets (password, query string, and a Slack webhook's path,
 * which is its token).
 */
export function displayEndpoint(protocol: Protocol, endpoint: string): string {
  if (protocol === 'email') return endpoint;
  const url = new URL(endpoint);
  const user = url.username ? `${url.username}${url.password ? ':****' : ''}@` : '';
  const path = protocol === 'slack' ? (url.pathname === '/' ? '/' : '/****') : url.pathname;
  return `${url.protocol}//${user}${url.host}${path}${url.search ? '?****' : ''}`;
}
