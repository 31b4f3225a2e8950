/**
 * Who is acting in a bot turn. The activity is authenticated by the adapter (a channel token
 * for our bot), and names the person by their Entra object id (`from.aadObjectId`) and tenant
 * (`conversation.tenantId`, or `channelData.tenant.id` in channels). Whether they are a guest
 * comes from Meent's own record (kept in step with their sign-in tokens), or, for someone Meent
 * has not seen, from Teams (`TeamsInfo.getMember`: `userRole` `guest`); when neither answers
 * they are treated as a guest, the least they could be. In the bot nobody acts as an
 * organisation admin: activities carry no app roles or authentication methods. The
 * organisation's sign-in policy for people acting through the bot (guests, multi-factor
 * sign-in, networks) is `enforceBotSignInPolicy` (src/auth/sign-in-policy.ts).
 *
 * Local mode (Microsoft 365 Agents Playground) has no Entra: the person is the demo person
 * with that id, or the first demo person, in the demo tenant.
 */
import { TeamsInfo, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { Actor } from '../src/auth/actor.js';
import { enforceBotSignInPolicy } from '../src/auth/sign-in-policy.js';
import type { Config } from '../src/config/config.js';
import { ForbiddenError, UnauthorizedError } from '../src/errors/domain-errors.js';
import { DEMO_PEOPLE, DEMO_TENANT_ID } from '../src/local/demo-people.js';
import type { UserRecord } from '../src/members/user.model.js';
import { tenantAllowlist } from '../src/auth/tenant-allowlist.js';

export interface ActorResolver {
  resolve(context: TurnContext): Promise<Actor>;
}

export interface BotActorsDeps {
  config: Pick<Config, 'localMode' | 'guestsAllowed' | 'requireMfa' | 'ipAllowlist' | 'teamsConditionalAccess' | 'entra'>;
  /** Meent's record of a person, when it has one. */
  findUser: (tenantId: string, userId: string) => Promise<Pick<UserRecord, 'isGuest' | 'displayName'> | null>;
  /** Tells the people directory the person was seen (creates the record). */
  seen?: (actor: Actor) => Promise<void>;
  /** Teams' roster entry of the sender (default TeamsInfo.getMember). */
  memberRole?: (context: TurnContext) => Promise<string | undefined>;
  logger: Pick<Logger, 'warn'>;
}

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export class BotActors implements ActorResolver {
  constructor(private readonly deps: BotActorsDeps) {}

  async resolve(context: TurnContext): Promise<Actor> {
    const activity = context.activity;
    const from = activity.from ?? { id: '', name: '' };
    if (this.deps.config.localMode) {
      const person = DEMO_PEOPLE.find((p) => p.id === from.aadObjectId) ?? DEMO_PEOPLE[0];
      if (!person) throw new UnauthorizedError();
      return { userId: person.id, tenantId: DEMO_TENANT_ID, homeTenantId: person.homeTenantId, name: person.displayName, isGuest: person.isGuest, mfa: false, isOrgAdmin: false, roles: [] };
    }

    const userId = from.aadObjectId?.toLowerCase();
    const channelTenant = (activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
    const tenantId = (activity.conversation?.tenantId ?? (typeof channelTenant === 'string' ? channelTenant : undefined))?.toLowerCase();
    if (!userId || !GUID.test(userId) || !tenantId || !GUID.test(tenantId)) throw new UnauthorizedError('The activity does not name a Microsoft Entra user.', 'bot_unknown_user');
    if (!tenantAllowlist(this.deps.config)(tenantId)) throw new ForbiddenError('Meent is not available to this organisation.', 'tenant_not_allowed');

    const record = await this.deps.findUser(tenantId, userId);
    let isGuest: boolean;
    if (record) {
      isGuest = record.isGuest ?? false;
    } else {
      const role = await (this.deps.memberRole ?? teamsRole)(context).catch((err: unknown) => {
        this.deps.logger.warn({ err: { message: (err as Error).message } }, 'could not read the sender from the Teams roster; treating them as a guest');
        return undefined;
      });
      isGuest = role !== 'user';
    }
    const actor: Actor = { userId, tenantId, name: from.name || record?.displayName || 'Unknown', isGuest, mfa: false, isOrgAdmin: false, roles: [] };
    enforceBotSignInPolicy(actor, this.deps.config);
    if (!record && this.deps.seen) await this.deps.seen(actor).catch(() => undefined);
    return actor;
  }
}

async function teamsRole(context: TurnContext): Promise<string | undefined> {
  const member = await TeamsInfo.getMember(context, context.activity.from.id);
  return member.userRole;
}
