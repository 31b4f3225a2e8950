/**
 * Typed domain errors. Services throw these; the HTTP error handler (src/http/problem.ts)
 * and the bot map their `kind` to a status code or a card at the edge. `code` is stable and
 * part of the API contract; nothing here knows about HTTP.
 */
import type { z } from 'zod';

export interface ErrorDetail {
  /** Dotted path of the offending field, e.g. `body.title`. */
  path: string;
  message: string;
  /** What is wrong with the field, stable (the tab shows its own text for it); `invalid` when left out. */
  code?: FieldCode;
  /** For `too_big` and `too_small`: the bound the value broke, so a reader is told the number. */
  limit?: number;
  /** What `limit` counts: characters of a text or items of a list; absent for a number. */
  unit?: LimitUnit;
}

export type LimitUnit = 'characters' | 'items';

/**
 * The codes a field error may carry: zod's issue codes, for input a schema refuses, and the
 * rules that services check themselves. Part of the API contract, like `DomainError.code`.
 */
export type FieldCode =
  | z.core.$ZodIssue['code']
  | 'invalid'
  | 'required'
  | 'unstorable_text'
  | 'control_characters'
  | 'unknown_time_zone'
  | 'not_after_start'
  | 'not_in_future';

/** The code of a field error as the API answers it: every field error has one. */
export function fieldCodeOf(detail: ErrorDetail): FieldCode {
  return detail.code ?? 'invalid';
}

/** What went wrong, in the domain's terms. Each edge maps a kind to its own answer. */
export type ErrorKind =
  /** Input that breaks the contract. */
  | 'invalid'
  /** No (valid) identity. */
  | 'unauthenticated'
  /** Known, and not allowed. */
  | 'forbidden'
  /** Absent, or invisible to the actor. */
  | 'not_found'
  /** Clashes with the current state. */
  | 'conflict'
  /** More than Meent takes in one go. */
  | 'too_large'
  /** Too many requests in a short time. */
  | 'rate_limited'
  /** A dependency (database, Graph, Entra) failed or is unreachable. */
  | 'unavailable';

/** The kinds where the same request, unchanged, may succeed later. */
const RETRYABLE_KINDS: ReadonlySet<ErrorKind> = new Set(['rate_limited', 'unavailable']);

export abstract class DomainError extends Error {
  readonly kind: ErrorKind;
  /** Whether trying the same thing again later may work (a dependency was down, a rate limit). */
  readonly retryable: boolean;
  readonly code: string;
  readonly details: ErrorDetail[];

  protected constructor(kind: ErrorKind, code: string, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = new.target.name;
    this.kind = kind;
    this.retryable = RETRYABLE_KINDS.has(kind);
    this.code = code;
    this.details = details;
  }
}

/** Input that breaks the contract: a clear message, nothing written. */
export class ValidationError extends DomainError {
  constructor(message: string, details: ErrorDetail[] = [], code = 'invalid_input') {
    super('invalid', code, message, details);
  }
}

export class UnauthorizedError extends DomainError {
  constructor(message = 'Authentication is required.', code = 'unauthenticated') {
    super('unauthenticated', code, message);
  }
}

export class ForbiddenError extends DomainError {
  constructor(message = 'You may not do this.', code = 'forbidden') {
    super('forbidden', code, message);
  }
}

/** Also used for things that exist but must stay invisible to the actor (secret communities). */
export class NotFoundError extends DomainError {
  constructor(message = 'Not found.', code = 'not_found') {
    super('not_found', code, message);
  }
}

export class ConflictError extends DomainError {
  constructor(message: string, code = 'conflict', details: ErrorDetail[] = []) {
    super('conflict', code, message, details);
  }
}

export class PayloadTooLargeError extends DomainError {
  constructor(message = 'The request body is too large.', code = 'payload_too_large') {
    super('too_large', code, message);
  }
}

export class RateLimitedError extends DomainError {
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number, message = 'Too many requests; try again later.') {
    super('rate_limited', 'rate_limited', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A dependency (database, Graph) is unavailable; the caller may retry. */
export class UnavailableError extends DomainError {
  constructor(message = 'A service Meent depends on is unavailable; try again shortly.', code = 'unavailable') {
    super('unavailable', code, message);
  }
}

/** What an error may add to its problem document and response (e.g. a `WWW-Authenticate` challenge); src/http/problem.ts writes them. */
export interface ProblemExtras {
  readonly problemExtensions?: Record<string, unknown>;
  readonly wwwAuthenticate?: string;
}
