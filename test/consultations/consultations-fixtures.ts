/** Small fixtures for the consultations tests: services on the real store, the HTTP app behind the test actor header, bodies. */
import type { Express } from 'express';
import type { Actor } from '../../src/auth/actor.js';
import { CommunityModel } from '../../src/communities/community.model.js';
import { MembershipModel } from '../../src/communities/membership.model.js';
import { loadConfig } from '../../src/config/config.js';
import { ConsultationModel } from '../../src/consultations/consultation.model.js';
import { ConsultationAnswerModel, ConsultationResponderModel, ConsultationTallyModel } from '../../src/consultations/consultation-response.model.js';
import { consultationsRouter } from '../../src/consultations/consultations.routes.js';
import { createConsultationsServices, type ConsultationsServices } from '../../src/consultations/consultations.module.js';
import { LeaseModel } from '../../src/db/lease.js';
import { ApiSpec } from '../../src/http/api-spec.js';
import { createApp } from '../../src/http/app.js';
import { UserModel } from '../../src/members/user.model.js';
import { NotificationModel } from '../../src/notifications/notification.model.js';
import { SearchBucketModel } from '../../src/search-index/search-bucket.model.js';
import { SearchEntryModel } from '../../src/search-index/search-entry.model.js';
import type { NotificationOutbox } from '../../src/notifications/notification-outbox.js';
import { silentLogger, type TestClock } from '../events/events-fixtures.js';
import { testAuthenticate } from '../support/test-actor.js';

export { as, community, person, testClock, DAY, TEST_TENANT, type TestClock } from '../events/events-fixtures.js';

export async function syncConsultationIndexes(): Promise<void> {
  for (const model of [ConsultationModel, ConsultationAnswerModel, ConsultationResponderModel, ConsultationTallyModel, NotificationModel, UserModel, CommunityModel, MembershipModel, LeaseModel, SearchEntryModel, SearchBucketModel]) {
    await (model as { syncIndexes(): Promise<unknown> }).syncIndexes();
  }
}

export async function clearConsultations(): Promise<void> {
  for (const model of [ConsultationModel, ConsultationAnswerModel, ConsultationResponderModel, ConsultationTallyModel, NotificationModel, CommunityModel, MembershipModel, SearchEntryModel, SearchBucketModel]) {
    await (model as { deleteMany(filter: object): Promise<unknown> }).deleteMany({});
  }
}

export function services(clock: TestClock, options: { minGroupSize?: number; notifications?: NotificationOutbox } = {}): ConsultationsServices {
  return createConsultationsServices({
    logger: silentLogger,
    now: clock.now,
    ...(options.minGroupSize ? { config: { consultations: { minGroupSize: options.minGroupSize } } } : {}),
    ...(options.notifications ? { notifications: options.notifications } : {}),
  });
}

export function consultationsApp(s: ConsultationsServices): Express {
  const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', PUBLIC_URL: 'https://meent.test', RATE_LIMIT_USER_WRITES: '0', RATE_LIMIT_IP_WRITES: '0', RATE_LIMIT_USER_READS: '0', RATE_LIMIT_IP_READS: '0' });
  return createApp({ config, logger: silentLogger, isReady: async () => true, authenticate: testAuthenticate, apiRouters: [consultationsRouter(new ApiSpec(), s)] });
}

/** The water board's questionnaire: a scale, a multiple choice, an open question. */
export function questionnaire(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    title: 'Bufferstroken langs watergangen',
    introduction: 'Wat vindt u van **bufferstroken**?',
    questions: [
      { id: 'q1', kind: 'scale', text: 'Hoe belangrijk vindt u bufferstroken?', required: true, scale: { min: 1, max: 5, minLabel: 'onbelangrijk', maxLabel: 'heel belangrijk' } },
      { id: 'q2', kind: 'multipleChoice', text: 'Welke breedte past?', options: [{ id: 'o1', label: '1 meter' }, { id: 'o2', label: '3 meter' }, { id: 'o3', label: '5 meter' }], maxChoices: 2 },
      { id: 'q3', kind: 'longText', text: 'Wat wilt u ons meegeven?' },
    ],
    ...overrides,
  };
}

/** An actor's answers to `questionnaire()`. */
export function answersFor(i: number): Array<Record<string, unknown>> {
  return [
    { questionId: 'q1', value: (i % 5) + 1 },
    { questionId: 'q2', optionIds: i % 2 === 0 ? ['o1'] : ['o2', 'o3'] },
    ...(i % 3 === 0 ? [{ questionId: 'q3', text: `Opmerking ${i}` }] : []),
  ];
}

export type { Actor };
