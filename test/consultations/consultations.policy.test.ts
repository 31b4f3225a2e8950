/**
 * The consultations policy as a matrix, through the real services on the real store: every
 * consultation operation x every kind of person, in an open (public) and a secret community,
 * for a members-only and a members-and-guests audience. Each cell is written out, so a wrong
 * one shows in review; the run compares each with what the service does.
 *
 * Y = allowed, F = forbidden (403), N = not found (404: the consultation, or the community, stays
 * invisible), E = answered but the consultation is not in it (a list without it).
 */
import assert from 'node:assert/strict';
import { ConflictError, ForbiddenError, NotFoundError } from '../../src/errors/domain-errors.js';
import { createConsultationSchema, updateConsultationSchema, type ListConsultationsQuery } from '../../src/consultations/consultation.schemas.js';
import type { ConsultationsServices } from '../../src/consultations/consultations.module.js';
import { useTestDatabase } from '../support/database.js';
import { answersFor, clearConsultations, community, person, questionnaire, services, syncConsultationIndexes, testClock, type Actor } from './consultations-fixtures.js';

type Who = 'guest' | 'outsider' | 'member' | 'manager' | 'admin';
const PEOPLE: Who[] = ['guest', 'outsider', 'member', 'manager', 'admin'];
/** The columns of every row, in the order they run (answering comes before the results, which show after one's response). */
const OPS = ['create', 'read', 'edit', 'open', 'close', 'answer', 'myResponse', 'results', 'texts', 'csv', 'conclusion', 'list'] as const;
type Op = (typeof OPS)[number];

/**
 * The expected table per community and audience. `guest` is a guest member of a community that
 * admits guests; `outsider` an employee without membership; `admin` an organisation admin
 * without membership. Results are `afterResponse`: a respondent sees them, so does whoever runs it.
 * Opening acts on a draft, which only those who run it can see: for anyone else it is N.
 *
 * Columns (OPS): create read edit open close answer myResponse results texts csv conclusion list
 */
const EXPECTED: Record<'public' | 'secret', Record<'members' | 'membersAndGuests', Record<Who, string>>> = {
  public: {
    members: {
      guest: 'FYFNFFYFFFFY',
      outsider: 'FYFNFFYFFFFY',
      member: 'FYFNFYYYYFFY',
      manager: 'YYYYYYYYYYYY',
      admin: 'YYYYYFYYYYYY',
    },
    membersAndGuests: {
      guest: 'FYFNFYYYYFFY',
      outsider: 'FYFNFFYFFFFY',
      member: 'FYFNFYYYYFFY',
      manager: 'YYYYYYYYYYYY',
      admin: 'YYYYYFYYYYYY',
    },
  },
  secret: {
    members: {
      guest: 'FYFNFFYFFFFY',
      outsider: 'NNNNNNNNNNNN',
      member: 'FYFNFYYYYFFY',
      manager: 'YYYYYYYYYYYY',
      admin: 'YYYYYFYYYYYY',
    },
    membersAndGuests: {
      guest: 'FYFNFYYYYFFY',
      outsider: 'NNNNNNNNNNNN',
      member: 'FYFNFYYYYFFY',
      manager: 'YYYYYYYYYYYY',
      admin: 'YYYYYFYYYYYY',
    },
  },
};

describe('consultations policy matrix', function () {
  this.timeout(120_000);
  useTestDatabase('consultations_policy');
  const clock = testClock(Date.parse('2030-03-01T09:00:00Z'));
  let s: ConsultationsServices;
  const actors = {} as Record<Who, Actor>;

  before(async () => {
    await syncConsultationIndexes();
    actors.guest = await person('guest', { isGuest: true, name: 'Gerrit Gast' });
    actors.outsider = await person('outsider', { name: 'Otto Outsider' });
    actors.member = await person('member', { name: 'Mia Member' });
    actors.manager = await person('manager', { name: 'Mark Manager' });
    actors.admin = await person('admin', { isOrgAdmin: true, name: 'Ada Admin' });
  });
  beforeEach(async () => {
    await clearConsultations();
    s = services(clock);
  });

  async function outcome(run: () => Promise<unknown>): Promise<string> {
    try {
      const value = await run();
      return value === 'absent' ? 'E' : 'Y';
    } catch (error) {
      if (error instanceof NotFoundError) return 'N';
      if (error instanceof ForbiddenError) return 'F';
      if (error instanceof ConflictError) return `C(${error.code})`;
      throw error;
    }
  }

  for (const visibility of ['public', 'secret'] as const) {
    for (const audience of ['members', 'membersAndGuests'] as const) {
      it(`${visibility} community, audience ${audience}`, async () => {
        const communityId = await community(`Panel ${visibility} ${audience}`, visibility, [
          { userId: 'manager', role: 'manager' },
          { userId: 'member', role: 'member' },
          { userId: 'guest', role: 'member', isGuest: true },
        ], true);
        const body = (extra: Record<string, unknown> = {}) => createConsultationSchema.parse(questionnaire({ audience, resultsVisibility: 'afterResponse', ...extra }));
        const make = (extra: Record<string, unknown> = {}) => s.consultations.create(actors.manager, communityId, body(extra));
        // One open consultation for the operations that leave it open; a fresh one per person where an operation moves it on.
        const shared = await make();
        await s.consultations.respond(actors.manager, shared.id, { answers: answersFor(0) });
        const listAll: ListConsultationsQuery = {};

        const got: Record<Who, string> = { guest: '', outsider: '', member: '', manager: '', admin: '' };
        for (const who of PEOPLE) {
          const a = actors[who];
          const draft = await make({ status: 'draft' });
          const toClose = await make();
          const toConclude = await make();
          await s.consultations.close(actors.manager, toConclude.id);
          const run: Record<Op, () => Promise<unknown>> = {
            create: () => s.consultations.create(a, communityId, body()),
            read: () => s.consultations.get(a, shared.id),
            edit: () => s.consultations.update(a, shared.id, updateConsultationSchema.parse({ title: `Bufferstroken (${who})` })),
            open: () => s.consultations.open(a, draft.id),
            close: () => s.consultations.close(a, toClose.id),
            answer: () => s.consultations.respond(a, shared.id, { answers: answersFor(1) }),
            myResponse: () => s.consultations.myResponse(a, shared.id),
            results: () => s.consultations.results(a, shared.id),
            texts: () => s.consultations.texts(a, shared.id, { questionId: 'q3' }),
            csv: () => s.consultations.exportCsv(a, shared.id),
            conclusion: () => s.consultations.conclude(a, toConclude.id, { text: 'Wat we hoorden.' }),
            list: async () => ((await s.consultations.list(a, communityId, listAll)).items.some((c) => c.id === shared.id) ? 'listed' : 'absent'),
          };
          for (const op of OPS) got[who] += await outcome(run[op]);
        }
        assert.deepEqual(got, EXPECTED[visibility][audience]);
      });
    }
  }
});
