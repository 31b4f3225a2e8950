/**
 * E-mail from Meent's notification mailbox through Microsoft Graph, for people Teams cannot
 * reach: `POST /users/{mailbox}/sendMail` (https://learn.microsoft.com/en-us/graph/api/user-sendmail,
 * application permission `Mail.Send`, best narrowed to this one mailbox with an application
 * access policy). Graph answers 202 Accepted. A plain-text message, not saved to Sent Items:
 * the delivery record is Meent's own record of it.
 *
 * Exchange Online sends at most 30 messages a minute from one mailbox
 * (https://learn.microsoft.com/en-us/office365/servicedescriptions/exchange-online-service-description/exchange-online-limits#sending-limits),
 * so the rate governor gives the mailbox a lane of its own (rate-governor.ts); the client
 * does not retry, the delivery does.
 */
import { GraphClientError, GraphError } from '@microsoft/microsoft-graph-client';
import type { Message } from '@microsoft/microsoft-graph-types';
import { segment, type GraphClient } from '../graph/graph-client.js';
import { deliveryErrorFor, DeliveryError } from './messenger.js';

export interface MailMessage {
  to: string;
  subject: string;
  /** Plain text; links as they are. */
  text: string;
}

export interface MailSender {
  /** The sending mailbox (for the rate lane). */
  readonly mailbox: string;
  send(tenantId: string, message: MailMessage): Promise<void>;
}

export class GraphMailSender implements MailSender {
  constructor(
    private readonly graphFor: (tenantId: string) => GraphClient,
    readonly mailbox: string,
  ) {}

  async send(tenantId: string, message: MailMessage): Promise<void> {
    try {
      await this.graphFor(tenantId).api(`/users/${segment(this.mailbox)}/sendMail`).post({ message: toWire(message), saveToSentItems: false });
    } catch (error) {
      if (error instanceof GraphError) throw deliveryErrorFor(error.statusCode > 0 ? error.statusCode : undefined, `Graph answered ${error.statusCode}`, error.headers?.get('retry-after'), error.code ?? undefined);
      if (error instanceof GraphClientError) throw new DeliveryError('transient', 'Could not obtain a Microsoft Graph token');
      throw error;
    }
  }
}

/** Our message -> Graph's `message` resource. */
export function toWire(message: MailMessage): Message {
  return {
    subject: message.subject.slice(0, 255),
    body: { contentType: 'text', content: message.text },
    toRecipients: [{ emailAddress: { address: message.to } }],
  };
}
