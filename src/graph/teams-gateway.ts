/**
 * Teams and channels as Meent needs them to decide who may point the bot at a channel: a
 * person's membership of a team, a team's channel, and the members of a private or shared
 * channel. `TeamsGateway` is the port the domain owns; `GraphTeamsGateway` reads Microsoft
 * Graph and maps its wire types in `fromGraphMember` and `fromGraphChannel`.
 *
 * Permissions (application): `TeamMember.Read.Group`, `ChannelSettings.Read.Group` and
 * `ChannelMember.Read.Group` by resource-specific consent (granted in the teams Meent is
 * installed in, which are the only ones its bot can post to), or tenant-wide
 * `TeamMember.Read.All`, `ChannelSettings.Read.All`, `ChannelMember.Read.All`.
 */
import type { AadUserConversationMember, Channel } from '@microsoft/microsoft-graph-types';
import { ValidationError } from '../errors/domain-errors.js';
import { segment, type GraphClient } from './graph-client.js';
import { GraphUnavailableError, isGraphNotFound, withGraphErrors } from './graph-errors.js';
import { listAll } from './graph-paging.js';
import { odataString } from './directory-gateway.js';

export interface TeamMembership {
  userId: string;
  /** `owner`, `guest`, or neither for an ordinary member (Graph's `roles`). */
  role: 'owner' | 'member' | 'guest';
}

export interface TeamChannel {
  id: string;
  /** Who may see it: the whole team (`standard`), or only its own members (`private`, `shared`). */
  membershipType: 'standard' | 'private' | 'shared' | 'unknown';
}

export interface TeamsGateway {
  /** The person's membership of the team; null when they are not in it, or there is no such team. */
  membershipOf(teamId: string, userId: string): Promise<TeamMembership | null>;
  /** The team's channel; null when the team has no such channel (or there is no such team). */
  channel(teamId: string, channelId: string): Promise<TeamChannel | null>;
  /** Whether the person is a member of the team's (private or shared) channel. */
  isChannelMember(teamId: string, channelId: string, userId: string): Promise<boolean>;
}

/** A private channel holds at most 5,000 people; at Graph's 100 a page that is 50 pages. */
const MAX_CHANNEL_MEMBER_PAGES = 50;

export class GraphTeamsGateway implements TeamsGateway {
  private readonly graph: GraphClient;

  constructor(deps: { graph: GraphClient }) {
    this.graph = deps.graph;
  }

  async membershipOf(teamId: string, userId: string): Promise<TeamMembership | null> {
    // One member by Entra object id, as documented in example 2 of
    // https://learn.microsoft.com/en-us/graph/api/team-list-members. The SDK puts $filter into
    // the URL as given, so it is percent-encoded here.
    const filter = encodeURIComponent(`(microsoft.graph.aadUserConversationMember/userId eq ${odataString(userId)})`);
    const page = await nullWhenAbsent(() => withGraphErrors(() => this.graph.api(`/teams/${segment(teamId)}/members`).filter(filter).get()) as Promise<{ value?: AadUserConversationMember[] }>);
    const wanted = userId.toLowerCase();
    const member = page?.value?.map(fromGraphMember).find((m) => m.userId.toLowerCase() === wanted);
    return member ?? null;
  }

  async channel(teamId: string, channelId: string): Promise<TeamChannel | null> {
    // A channel id asked for under another team is not found
    // (https://learn.microsoft.com/en-us/graph/api/channel-get).
    const channel = await nullWhenAbsent(() => withGraphErrors(() => this.graph.api(`/teams/${segment(teamId)}/channels/${segment(channelId)}`).select(['id', 'membershipType']).get()) as Promise<Channel>);
    return channel ? fromGraphChannel(channel) : null;
  }

  async isChannelMember(teamId: string, channelId: string, userId: string): Promise<boolean> {
    // The channel members list takes no $filter (https://learn.microsoft.com/en-us/graph/api/channel-list-members):
    // read the pages until the person turns up.
    const first = this.graph.api(`/teams/${segment(teamId)}/channels/${segment(channelId)}/members`);
    const listed = await nullWhenAbsent(() => listAll<AadUserConversationMember>(this.graph, first, { maxPages: MAX_CHANNEL_MEMBER_PAGES }));
    const wanted = userId.toLowerCase();
    // A list cut short by the page cap does not prove absence, but Meent refuses then all the same.
    return (listed?.items ?? []).some((m) => typeof m.userId === 'string' && m.userId.toLowerCase() === wanted);
  }
}

/**
 * Null for "not there": Graph answers 404 for a team or channel that does not exist (or not
 * in this team), and 400 for an id that is not one at all; both mean the same to the caller.
 */
async function nullWhenAbsent<T>(call: () => Promise<T>): Promise<T | null> {
  try {
    return await call();
  } catch (error) {
    if (isGraphNotFound(error) || (error instanceof ValidationError && error.code === 'graph_invalid_request')) return null;
    throw error;
  }
}

/** Graph's conversation member -> `TeamMembership`; the one place that knows its shape. */
export function fromGraphMember(member: AadUserConversationMember): TeamMembership {
  if (typeof member.userId !== 'string' || member.userId === '') {
    throw new GraphUnavailableError(undefined, 'graph_unavailable', 'Microsoft 365 answered with something Meent does not understand.');
  }
  const roles = member.roles ?? [];
  return { userId: member.userId, role: roles.includes('owner') ? 'owner' : roles.includes('guest') ? 'guest' : 'member' };
}

/** Graph's channel -> `TeamChannel`. */
export function fromGraphChannel(channel: Channel): TeamChannel {
  if (typeof channel.id !== 'string' || channel.id === '') {
    throw new GraphUnavailableError(undefined, 'graph_unavailable', 'Microsoft 365 answered with something Meent does not understand.');
  }
  const type = channel.membershipType;
  return { id: channel.id, membershipType: type === 'standard' || type === 'private' || type === 'shared' ? type : 'unknown' };
}
