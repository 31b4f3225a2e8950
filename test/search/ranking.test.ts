import assert from 'node:assert/strict';
import { columnsOf, rankTop, RECENCY_WEIGHT } from '../../src/search/ranking.js';

interface Candidate {
  type: string;
  id: string;
  at: Date;
  weights: number[];
}

/** The ranking as first written (an object per candidate, every candidate sorted): the reference. */
function referenceRank(candidates: Candidate[], words: number, now: Date): Array<{ id: string; score: number }> {
  const n = candidates.length;
  const df = Array.from({ length: words }, (_, i) => candidates.filter((c) => (c.weights[i] ?? 0) > 0).length);
  const scored = candidates.map((c) => {
    let text = 0;
    let matched = 0;
    c.weights.forEach((w, i) => {
      if (w > 0) {
        matched++;
        text += w * Math.log(1 + n / Math.max(1, df[i] ?? 1));
      }
    });
    const coverage = matched / Math.max(1, words);
    const ageDays = c.type === 'person' ? Infinity : Math.abs(now.getTime() - c.at.getTime()) / 86_400_000;
    const recency = Number.isFinite(ageDays) ? RECENCY_WEIGHT / (1 + ageDays / 30) : 0;
    return { c, score: text * (0.5 + 0.5 * coverage) + recency };
  });
  scored.sort((a, b) => b.score - a.score || b.c.at.getTime() - a.c.at.getTime() || (a.c.id < b.c.id ? -1 : 1));
  return scored.map(({ c, score }) => ({ id: c.id, score }));
}

/** A small seeded generator, so a failure can be replayed. */
function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

describe('search ranking (pure)', () => {
  const now = new Date('2026-05-01T00:00:00Z');

  it('keeps exactly the reference order for every page size, with ties in score and time, people and the future', () => {
    for (let seed = 1; seed <= 40; seed++) {
      const next = random(seed);
      const words = 1 + Math.floor(next() * 3);
      const size = Math.floor(next() * 400);
      // Few distinct times and weights, so many candidates tie on score and on time.
      const candidates: Candidate[] = Array.from({ length: size }, (_, i) => ({
        type: next() < 0.1 ? 'person' : 'discussion',
        id: `c${Math.floor(next() * 1e6)}-${i}`,
        at: new Date(now.getTime() + (Math.floor(next() * 6) - 4) * 86_400_000),
        weights: Array.from({ length: words }, () => [0, 1, 3][Math.floor(next() * 3)] ?? 0),
      }));
      for (const c of candidates) if (c.type === 'person') c.at = new Date(0);
      const expected = referenceRank(candidates, words, now);
      for (const count of [0, 1, 5, 20, Math.floor(size / 5), size, size + 10]) {
        const got = rankTop(columnsOf(candidates, words), now.getTime(), count).map(({ row, score }) => ({ id: candidates[row]?.id ?? '', score }));
        assert.deepEqual(got, expected.slice(0, count), `seed ${seed}, ${size} candidates, best ${count}`);
      }
    }
  });

  it('takes the best 20 of 2,000 without reading an id where score and time decide', () => {
    const size = 2000;
    const candidates: Candidate[] = Array.from({ length: size }, (_, i) => ({ type: 'discussion', id: `d${i}`, at: new Date(now.getTime() - i * 3_600_000), weights: [1] }));
    let idReads = 0;
    const columns = { ...columnsOf(candidates, 1) };
    const id = columns.id;
    columns.id = (i: number) => {
      idReads++;
      return id(i);
    };
    const top = rankTop(columns, now.getTime(), 20);
    assert.deepEqual(top.map((r) => r.row), Array.from({ length: 20 }, (_, i) => i));
    // Distinct times: no tie reaches the ids.
    assert.equal(idReads, 0);
  });
});
