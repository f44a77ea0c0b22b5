import { postToEndpoint } from './http-post.js';
import type { DeliveryTarget, OutgoingNotification, Transport } from './transport.js';

/** Slack's mrkdwn treats these three as control characters; everything else is literal. */
function escapeSlack(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** The message text: the subject in bold on its own line, then the message. */
export function slackText(n: OutgoingNotification): string {
  const message = escapeSlack(n.message);
  return n.subject !== undefined ? `*${escapeSlack(n.subject)}*\n${message}` : message;
}

/** `slack` subscriptions: an incoming webhook (Slack, Mattermost, Rocket.Chat …) takes `{"text": …}`. */
export const slackTransport: Transport = {
  async send(n: OutgoingNotification, target: DeliveryTarget, signal: AbortSignal) {
    await postToEndpoint(target.endpoint, JSON.stringify({ text: slackText(n) }), { 'content-type': 'application/json; charset=utf-8' }, signal);
  },
};
