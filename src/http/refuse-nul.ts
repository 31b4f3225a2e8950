/**
 * The store cannot hold U+0000: PostgreSQL (under FerretDB) refuses it in text and JSON
 * ("unsupported Unicode escape sequence"), so a title, body or name holding one was a 500
 * after the write had started. Refused at the edge instead, for every body and query, as a
 * 400 problem that names the field. Nothing a person types holds it.
 */
import type { RequestHandler } from 'express';
import { ValidationError, type ErrorDetail } from '../errors/domain-errors.js';

/** Paths (`body.title`, `query.q`) of the strings under `value` that hold U+0000; at most `max`. */
export function nulCharacterPaths(value: unknown, path: string, max = 10, found: string[] = []): string[] {
  if (found.length >= max) return found;
  if (typeof value === 'string') {
    if (value.includes('\u0000')) found.push(path);
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => nulCharacterPaths(item, `${path}.${i}`, max, found));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      if (key.includes('\u0000')) found.push(`${path}.${JSON.stringify(key)}`);
      else nulCharacterPaths(item, `${path}.${key}`, max, found);
    }
  }
  return found;
}

export const refuseNulCharacters: RequestHandler = (req, _res, next) => {
  const paths = [...nulCharacterPaths(req.body, 'body'), ...nulCharacterPaths(req.query, 'query')];
  if (paths.length === 0) {
    next();
    return;
  }
  const details: ErrorDetail[] = paths.map((path) => ({ path, message: 'cannot hold the character U+0000' }));
  next(new ValidationError('Text cannot hold the character U+0000.', details, 'nul_character'));
};
