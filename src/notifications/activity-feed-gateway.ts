/**
 * Teams activity-feed notifications through Microsoft Graph:
 * `POST /users/{id}/teamwork/sendActivityNotification` with a text topic and a web URL, an
 * activity type declared in the manifest's `activities` section, preview text and template
 * parameters; Graph answers 204. Sent with the app's own credential (TeamsActivity.Send.User
 * or TeamsActivity.Send), which needs the app installed for the person.
 * https://learn.microsoft.com/en-us/graph/api/userteamwork-sendactivitynotification
 *
 * The rate governor of notification delivery owns retries, so this client does not retry:
 * a 429 comes back at once as a `DeliveryError` carrying Graph's Retry-After.
 */
import { GraphClientError, GraphError } from '@microsoft/microsoft-graph-client';
import type { ItemBody, KeyValuePair, TeamworkActivityTopic } from '@microsoft/microsoft-graph-types';
import { deliveryErrorFor, DeliveryError, type ActivityFeed, type ActivityFeedNotification } from './messenger.js';
import { segment, type GraphClient } from '../graph/graph-client.js';

interface SendActivityNotificationBody {
  topic: TeamworkActivityTopic;
  activityType: string;
  previewText: ItemBody;
  templateParameters: KeyValuePair[];
}

export class GraphActivityFeed implements ActivityFeed {
  /** `graphFor(tenantId)`: a Graph client with the app's token for that tenant, built without retries. */
  constructor(private readonly graphFor: (tenantId: string) => GraphClient) {}

  async notify(tenantId: string, userId: string, notification: ActivityFeedNotification): Promise<void> {
    const body = toWire(notification);
    try {
      await this.graphFor(tenantId).api(`/users/${segment(userId)}/teamwork/sendActivityNotification`).post(body);
    } catch (error) {
      throw toDeliveryError(error);
    }
  }
}

/** The request body Graph documents, from our notification. */
export function toWire(n: ActivityFeedNotification): SendActivityNotificationBody {
  return {
    topic: { source: 'text', value: n.topic.title.slice(0, 200), webUrl: n.topic.webUrl },
    activityType: n.activityType,
    // Teams shows only the first 150 characters.
    previewText: { content: n.previewText.slice(0, 150) },
    templateParameters: n.templateParameters.map((p) => ({ name: p.name, value: p.value })),
  };
}

function toDeliveryError(error: unknown): DeliveryError {
  if (error instanceof DeliveryError) return error;
  if (error instanceof GraphError) {
    // statusCode -1: no answer at all (connection reset, timeout).
    return deliveryErrorFor(error.statusCode > 0 ? error.statusCode : undefined, `Graph answered ${error.statusCode}`, error.headers?.get('retry-after'), error.code ?? undefined);
  }
  if (error instanceof GraphClientError) return new DeliveryError('transient', 'Could not obtain a Microsoft Graph token');
  return new DeliveryError('transient', error instanceof Error ? error.message : String(error));
}
