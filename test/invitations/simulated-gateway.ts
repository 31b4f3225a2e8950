/**
 * The guest-invitations gateway over the local Graph, paced on simulated time: its sleeps move
 * the test's clock instead of waiting, so nothing waits on the real one.
 */
import { meentGraphClient } from '../../src/graph/graph-client.js';
import { GraphGuestInvitationsGateway } from '../../src/graph/guest-invitations-gateway.js';
import type { GraphServer } from '../support/graph-server.js';

export interface SimulatedTime {
  ms: number;
}

export function simulatedGateway(graph: GraphServer, token: string, time: SimulatedTime): GraphGuestInvitationsGateway {
  return new GraphGuestInvitationsGateway({
    graph: meentGraphClient({ baseUrl: graph.baseUrl, getAccessToken: async () => token }),
    now: () => time.ms,
    sleep: async (ms) => {
      time.ms += ms;
    },
  });
}
