/**
 * The demo organisation's consultations (issue 13): the water board's panel consultation
 * "Bufferstroken langs watergangen" (a scale, a multiple choice, an open question), open and
 * partly answered (by the partners' guests), and a quick poll that has closed with a conclusion. Written through the
 * consultations service like everything else in the seed; idempotent by title.
 */
import type { Actor } from '../auth/actor.js';
import { Types } from 'mongoose';
import { findConsultationTitled } from '../consultations/consultation.repository.js';
import { createConsultationSchema } from '../consultations/consultation.schemas.js';
import type { ConsultationService } from '../consultations/consultation.service.js';
import type { DemoPersonKey } from './demo-content.js';
import { DEMO_TENANT_ID } from './demo-people.js';

const DAY_MS = 86_400_000;
const PANEL_TITLE = 'Bufferstroken langs watergangen';
const POLL_QUESTION = 'Welk tijdstip past u het best voor de keukentafelgesprekken?';

/** Writes the two consultations into the community when they are not there yet; how many it wrote. */
export async function writeDemoConsultations(consultations: ConsultationService, communityId: string, actor: (key: DemoPersonKey) => Actor, now: Date): Promise<number> {
  const community = new Types.ObjectId(communityId);
  let written = 0;
  if (!(await findConsultationTitled(DEMO_TENANT_ID, community, PANEL_TITLE))) {
    const panel = await consultations.create(
      actor('mark'),
      communityId,
      createConsultationSchema.parse({
        title: PANEL_TITLE,
        introduction: 'Het waterschap wil langs watergangen **bufferstroken** zonder mest en bestrijdingsmiddelen. Wat vindt u daarvan, en wat past op uw bedrijf? Uw antwoorden zijn anoniem.',
        closesAt: new Date(now.getTime() + 14 * DAY_MS).toISOString(),
        anonymous: true,
        // The farmers and advisers of partner organisations are guests: the panel asks them too.
        audience: 'membersAndGuests',
        resultsVisibility: 'afterResponse',
        questions: [
          { id: 'q1', kind: 'scale', text: 'Hoe belangrijk vindt u bufferstroken voor schoon water?', required: true, scale: { min: 1, max: 5, minLabel: 'Onbelangrijk', maxLabel: 'Heel belangrijk' } },
          { id: 'q2', kind: 'multipleChoice', text: 'Welke steun zou u helpen?', maxChoices: 2, options: [{ id: 'o1', label: 'Vergoeding per hectare' }, { id: 'o2', label: 'Advies op het erf' }, { id: 'o3', label: 'Hulp bij inzaaien' }, { id: 'o4', label: 'Minder regels' }] },
          { id: 'q3', kind: 'longText', text: 'Wat wilt u het waterschap nog meegeven?' },
        ],
      }),
    );
    await consultations.respond(actor('gerrit'), panel.id, { answers: [{ questionId: 'q1', value: 3 }, { questionId: 'q2', optionIds: ['o1', 'o3'] }, { questionId: 'q3', text: 'Drie meter kost mij veel grond; maak het per perceel bespreekbaar.' }] });
    await consultations.respond(actor('fatima'), panel.id, { answers: [{ questionId: 'q1', value: 5 }, { questionId: 'q2', optionIds: ['o2'] }] });
    written++;
  }
  if (!(await findConsultationTitled(DEMO_TENANT_ID, community, POLL_QUESTION))) {
    const poll = await consultations.createQuickPoll(actor('sanne'), { communityId, question: POLL_QUESTION, options: ['Ochtend', 'Middag', 'Avond'], anonymous: false });
    const optionIds = poll.questions[0]?.options?.map((o) => o.id) ?? [];
    const choose = (person: DemoPersonKey, index: number) => consultations.respond(actor(person), poll.id, { answers: [{ questionId: poll.questions[0]!.id, optionId: optionIds[index]! }] });
    // A quick poll asks the members (the partners' guests are not in its audience).
    await choose('mark', 2);
    await choose('sanne', 2);
    await consultations.close(actor('sanne'), poll.id);
    await consultations.conclude(actor('sanne'), poll.id, { text: 'Wie stemde, koos de **avond**. De keukentafelgesprekken beginnen daarom om 19.30 uur; de uitnodigingen volgen.' });
    written++;
  }
  return written;
}
