/**
 * Consultations bench (issue 13): (1) results of a consultation with 10,000 responses to 10
 * questions, computed from the incremental tallies (the shard documents the answer path keeps
 * with `$inc`; seeded here in bulk with the same contributions), median of 5 runs; (2) the
 * answer path's throughput with 50 concurrent clients (service calls on FerretDB, each a first
 * response of a distinct person: has-responded insert, answer insert, tally shard `$inc`).
 * Writes bench/results/consultations.json.
 */
import { writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import mongoose from 'mongoose';
import { pino } from 'pino';
import { CommunityModel } from '../src/communities/community.model.js';
import { MembershipModel } from '../src/communities/membership.model.js';
import { contributions } from '../src/consultations/consultation-questions.js';
import { ConsultationAnswerModel, ConsultationResponderModel, ConsultationTallyModel } from '../src/consultations/consultation-response.model.js';
import { addToTally, newAnswerOrder, randomId, talliesOf, TALLY_SHARDS } from '../src/consultations/consultation.repository.js';
import { computeResults } from '../src/consultations/consultation-results.js';
import { countActiveMembers } from '../src/communities/communities.port.js';
import { createConsultationSchema } from '../src/consultations/consultation.schemas.js';
import { createConsultationsServices } from '../src/consultations/consultations.module.js';
import { syncAllIndexes } from '../src/db/connection.js';
import { machineDescription, seededRandom, storeDescription, withBenchStore } from './bench-support.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const TENANT = '11111111-2222-4333-8444-555555555555';
const RESPONSES = 10_000;
const CLIENTS = 50;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 20);
const actor = (userId: string, isOrgAdmin = false) => ({ userId, tenantId: TENANT, name: userId, isGuest: false, mfa: true, isOrgAdmin, roles: [] });

const questions = Array.from({ length: 10 }, (_, i) =>
  i % 3 === 0
    ? { id: `q${i + 1}`, kind: 'scale', text: `Vraag ${i + 1}`, required: true, scale: { min: 1, max: 5 } }
    : i % 3 === 1
      ? { id: `q${i + 1}`, kind: 'singleChoice', text: `Vraag ${i + 1}`, options: [1, 2, 3, 4].map((o) => ({ id: `o${o}`, label: `Optie ${o}` })) }
      : { id: `q${i + 1}`, kind: 'multipleChoice', text: `Vraag ${i + 1}`, options: [1, 2, 3, 4, 5].map((o) => ({ id: `o${o}`, label: `Optie ${o}` })) },
);

function answersOf(pick: <T>(l: readonly T[]) => T): Array<Record<string, unknown>> {
  return questions.map((q) =>
    q.kind === 'scale' ? { questionId: q.id, value: pick([1, 2, 3, 4, 5]) } : q.kind === 'singleChoice' ? { questionId: q.id, optionId: pick(['o1', 'o2', 'o3', 'o4']) } : { questionId: q.id, optionIds: [pick(['o1', 'o2']), pick(['o3', 'o4', 'o5'])] },
  );
}

async function medianOf(work: () => Promise<unknown>, selfTimed = false): Promise<number> {
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    const r = await work();
    times.push(selfTimed ? (r as number) : performance.now() - t);
  }
  times.sort((a, b) => a - b);
  return Math.round(times[2]! * 10) / 10;
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

async function main(): Promise<void> {
  const loadAtStart = loadavg();
  const { pick } = seededRandom(13);
  await withBenchStore('consultations', async () => {
    await syncAllIndexes();
    const s = createConsultationsServices({ logger: pino({ level: 'silent' }) });
    const community = await CommunityModel.create({ tenantId: TENANT, name: 'Bench panel', visibility: 'closed', createdBy: 'manager' });
    const people = Array.from({ length: RESPONSES + 20_000 }, (_, i) => `p${i}`);
    for (let i = 0; i < people.length; i += 2000) {
      await MembershipModel.insertMany(people.slice(i, i + 2000).map((userId) => ({ tenantId: TENANT, communityId: community._id, userId, role: 'member', status: 'active', joinedAt: new Date() })));
    }
    await MembershipModel.create({ tenantId: TENANT, communityId: community._id, userId: 'manager', role: 'manager', status: 'active', joinedAt: new Date() });
    const manager = actor('manager');
    const input = createConsultationSchema.parse({ title: 'Bench', questions, anonymous: true });
    const c = await s.consultations.create(manager, String(community._id), input);

    // (1) 10,000 responses, as the answer path stores them, with their tallies summed per shard.
    const seedStart = Date.now();
    const shardInc: Array<Map<string, number>> = Array.from({ length: TALLY_SHARDS }, () => new Map());
    for (let i = 0; i < RESPONSES; i += 1000) {
      const batch = people.slice(i, i + 1000).map((userId) => ({ userId, answers: answersOf(pick) }));
      await ConsultationResponderModel.insertMany(batch.map((b) => ({ _id: `${c.id}:${b.userId}`, tenantId: TENANT, consultationId: c.id, userId: b.userId, group: 'members' })));
      await ConsultationAnswerModel.insertMany(batch.map((b) => ({ _id: randomId(), tenantId: TENANT, consultationId: c.id, group: 'members', answers: b.answers, textQuestions: [], order: newAnswerOrder(), rev: 0 })));
      batch.forEach((b, j) => {
        const into = shardInc[(i + j) % TALLY_SHARDS]!;
        for (const [k, v] of contributions(b.answers as never)) into.set(`g.members.${k}`, (into.get(`g.members.${k}`) ?? 0) + v);
      });
    }
    for (let shard = 0; shard < TALLY_SHARDS; shard++) {
      await ConsultationTallyModel.collection.updateOne({ _id: `${c.id}:${shard}` as never }, { $inc: Object.fromEntries(shardInc[shard]!), $setOnInsert: { tenantId: TENANT, consultationId: new mongoose.Types.ObjectId(c.id) } }, { upsert: true });
    }
    const seedMs = Date.now() - seedStart;
    const timings: number[] = [];
    let respondents = 0;
    for (let run = 0; run < 5; run++) {
      const t = performance.now();
      const r = await s.consultations.results(manager, c.id);
      timings.push(performance.now() - t);
      respondents = r.respondents;
    }
    timings.sort((a, b) => a - b);

    // A process that has not counted this community's audience yet pays the count once.
    const coldStart = performance.now();
    await createConsultationsServices({ logger: pino({ level: 'silent' }) }).consultations.results(manager, c.id);
    const coldMs = Math.round((performance.now() - coldStart) * 10) / 10;

    // Where the results request spends its time: each part alone, median of 5.
    const community0 = (await CommunityModel.findById(community._id).lean())!;
    const oid = new mongoose.Types.ObjectId(c.id);
    const parts = {
      loadAndAccessMs: await medianOf(() => s.consultations.load(manager, c.id)),
      tallyReadMs: await medianOf(() => talliesOf(oid)),
      audienceCountMs: await medianOf(() => countActiveMembers(community0, false)),
      viewBuildingMs: await medianOf(async () => {
        const shards = await talliesOf(oid);
        const t = performance.now();
        computeResults({ consultationId: c.id, questions: input.questions as never, shards, audienceSize: 1, minGroupSize: 5, guestsInAudience: false });
        return performance.now() - t;
      }, true),
    };

    // (2) The answer path at 50 concurrent clients.
    const poll = await s.consultations.create(manager, String(community._id), createConsultationSchema.parse({ title: 'Bench 2', questions }));
    let next = RESPONSES;
    const latencies: number[] = [];
    let errors = 0;
    const deadline = Date.now() + SECONDS * 1000;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: CLIENTS }, async () => {
        while (Date.now() < deadline && next < people.length) {
          const who = people[next++]!;
          const t = performance.now();
          try {
            await s.consultations.respond(actor(who), poll.id, { answers: answersOf(pick) });
          } catch {
            errors++;
          }
          latencies.push(performance.now() - t);
        }
      }),
    );
    const elapsed = (Date.now() - started) / 1000;
    latencies.sort((a, b) => a - b);
    const stored = await ConsultationResponderModel.countDocuments({ consultationId: poll.id });

    // Where an answer spends its time at 50 clients: each step alone, 10 calls per client.
    const pollId = new mongoose.Types.ObjectId(poll.id);
    const concurrently = async (step: (client: number, i: number) => Promise<unknown>) => {
      const all: number[] = [];
      await Promise.all(
        Array.from({ length: CLIENTS }, async (_, client) => {
          for (let i = 0; i < 10; i++) {
            const t = performance.now();
            await step(client, i);
            all.push(performance.now() - t);
          }
        }),
      );
      all.sort((a, b) => a - b);
      return { p50Ms: Math.round(percentile(all, 50)), p99Ms: Math.round(percentile(all, 99)) };
    };
    const answeringParts = {
      loadAndAccess: await concurrently((client) => s.consultations.load(actor(people[client]!), poll.id)),
      responderInsert: await concurrently((client, i) => ConsultationResponderModel.collection.insertOne({ _id: `bench:${client}:${i}` as never, tenantId: TENANT, consultationId: pollId, userId: `x${client}`, group: 'members' })),
      answerInsert: await concurrently(() => ConsultationAnswerModel.collection.insertOne({ _id: randomId() as never, tenantId: TENANT, consultationId: new mongoose.Types.ObjectId(), group: 'members', answers: answersOf(pick), textQuestions: [], order: newAnswerOrder(), rev: 0 })),
      tallyInc: await concurrently(() => addToTally(TENANT, new mongoose.Types.ObjectId(c.id), { 'g.members.n': 0 })),
    };
    const result = {
      bench: 'consultations',
      when: new Date().toISOString(),
      machine: machineDescription(loadAtStart, 'results: incremental tallies (TALLY_SHARDS shard documents per consultation, $inc on every answer) and the audience size counted at most every 15 s per community (consultation-audience.ts); throughput: service calls, not HTTP'),
      store: storeDescription(),
      results: { responses: RESPONSES, questions: questions.length, respondentsReported: respondents, method: 'incremental tallies', medianMs: Math.round(timings[2]! * 10) / 10, maxMs: Math.round(timings[4]! * 10) / 10, seedSeconds: Math.round(seedMs / 100) / 10, firstInProcessMs: coldMs, parts },
      answering: { clients: CLIENTS, seconds: Math.round(elapsed * 10) / 10, answers: latencies.length, errors, stored, perSecond: Math.round((latencies.length / elapsed) * 10) / 10, p50Ms: Math.round(percentile(latencies, 50)), p99Ms: Math.round(percentile(latencies, 99)), parts: answeringParts },
    };
    writeFileSync(join(root, 'bench', 'results', 'consultations.json'), `${JSON.stringify(result, null, 2)}\n`);
    console.log(JSON.stringify(result, null, 2));
  });
}

await main();
