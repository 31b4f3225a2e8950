/**
 * Typed domain errors. Services throw these; the HTTP error handler and the bot map them
 * to a status code or a card at the edge. `code` is stable and part of the API contract.
 */
export interface ErrorDetail {
  /** Dotted path of the offending field, e.g. `body.title`. */
  path: string;
  message: string;
}

export abstract class DomainError extends Error {
  abstract readonly status: number;
  readonly code: string;
  readonly details: ErrorDetail[];

  constructor(code: string, message: string, details: ErrorDetail[] = []) {
    super(message);
    this.name = new.target.name;
    this.code = code;
    this.details = details;
  }
}

/** Input that breaks the contract: a clear message, nothing written. */
export class ValidationError extends DomainError {
  readonly status = 400;
  constructor(message: string, details: ErrorDetail[] = [], code = 'invalid_input') {
    super(code, message, details);
  }
}

export class UnauthorizedError extends DomainError {
  readonly status = 401;
  constructor(message = 'Authentication is required.', code = 'unauthenticated') {
    super(code, message);
  }
}

export class ForbiddenError extends DomainError {
  readonly status = 403;
  constructor(message = 'You may not do this.', code = 'forbidden') {
    super(code, message);
  }
}

/** Also used for things that exist but must stay invisible to the actor (secret communities). */
export class NotFoundError extends DomainError {
  readonly status = 404;
  constructor(message = 'Not found.', code = 'not_found') {
    super(code, message);
  }
}

export class ConflictError extends DomainError {
  readonly status = 409;
  constructor(message: string, code = 'conflict', details: ErrorDetail[] = []) {
    super(code, message, details);
  }
}

export class PayloadTooLargeError extends DomainError {
  readonly status = 413;
  constructor(message = 'The request body is too large.', code = 'payload_too_large') {
    super(code, message);
  }
}

export class RateLimitedError extends DomainError {
  readonly status = 429;
  readonly retryAfterSeconds: number;
  constructor(retryAfterSeconds: number, message = 'Too many requests; try again later.') {
    super('rate_limited', message);
    this.retryAfterSeconds = retryAfterSeconds;
  }
}

/** A dependency (database, Graph) is unavailable; the caller may retry. */
export class UnavailableError extends DomainError {
  readonly status = 503;
  constructor(message = 'A service Meent depends on is unavailable; try again shortly.', code = 'unavailable') {
    super(code, message);
  }
}
