/**
 * Who may pin a community to a Teams channel. A pinned community's announcements are posted
 * there by the bot, under Meent's name, so pinning is the power to make the bot post into a
 * channel: only someone who could post there themselves may do it. With Microsoft Graph, the
 * actor must be a member or owner of the team (not a guest of it), the channel must be one
 * of that team's, and a private or shared channel must have the actor among its members.
 * Without Graph (local mode) nobody's team membership can be known, so only organisation
 * admins may pin: they already hold every community's manager rights.
 */
import type { Actor } from '../auth/actor.js';
import { ForbiddenError, ValidationError } from '../errors/domain-errors.js';
import type { TeamsGateway } from '../graph/teams-gateway.js';

export interface ChannelPin {
  teamId: string | null;
  channelId: string | null;
}

/** Throws unless the actor may pin to `pin`; unpinning (no team) is always allowed. Reads Graph, writes nothing. */
export async function assertMayPin(actor: Actor, pin: ChannelPin, teams: TeamsGateway | undefined): Promise<void> {
  if (pin.channelId !== null && pin.teamId === null) {
    throw new ValidationError('A channel needs the team it belongs to.', [{ path: 'body.teamId', message: 'required with channelId' }], 'channel_without_team');
  }
  if (pin.teamId === null) return;
  if (!teams) {
    if (actor.isOrgAdmin) return;
    throw new ForbiddenError('Only organisation admins can pin a community to a Teams channel here.', 'pin_requires_admin');
  }
  const membership = await teams.membershipOf(pin.teamId, actor.userId);
  if (!membership || membership.role === 'guest') {
    throw new ForbiddenError('You can only pin a community to a team you are a member of.', 'not_team_member');
  }
  if (pin.channelId === null) return;
  const channel = await teams.channel(pin.teamId, pin.channelId);
  if (!channel) {
    throw new ValidationError('That channel is not in this team.', [{ path: 'body.channelId', message: 'not a channel of this team' }], 'channel_not_in_team');
  }
  if (channel.membershipType !== 'standard' && !(await teams.isChannelMember(pin.teamId, pin.channelId, actor.userId))) {
    throw new ForbiddenError('You can only pin a community to a channel you are a member of.', 'not_channel_member');
  }
}
