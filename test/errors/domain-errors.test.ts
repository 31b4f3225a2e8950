/**
 * Every domain error names its kind, and only the kinds where the same request may succeed
 * later (a dependency down, a rate limit) are retryable; services decide on that flag.
 */
import assert from 'node:assert/strict';
import { AuthenticationFailedError, ConsentRequiredError } from '../../src/auth/auth-errors.js';
import { IdentityProviderUnavailableError } from '../../src/auth/openid-keys.js';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  PayloadTooLargeError,
  RateLimitedError,
  UnauthorizedError,
  UnavailableError,
  ValidationError,
  type DomainError,
  type ErrorKind,
} from '../../src/errors/domain-errors.js';
import { errorForGraphStatus, GraphUnavailableError } from '../../src/graph/graph-errors.js';

describe('domain errors', () => {
  const cases: Array<[DomainError, ErrorKind, boolean]> = [
    [new ValidationError('No.'), 'invalid', false],
    [new UnauthorizedError(), 'unauthenticated', false],
    [new AuthenticationFailedError('token_expired'), 'unauthenticated', false],
    [new ForbiddenError(), 'forbidden', false],
    [new ConsentRequiredError('consent_required', ['https://graph.microsoft.com/.default']), 'forbidden', false],
    [new NotFoundError(), 'not_found', false],
    [new ConflictError('Taken.'), 'conflict', false],
    [new PayloadTooLargeError(), 'too_large', false],
    [new RateLimitedError(3), 'rate_limited', true],
    [new UnavailableError(), 'unavailable', true],
    [new GraphUnavailableError(1_000), 'unavailable', true],
    [new IdentityProviderUnavailableError(), 'unavailable', true],
  ];
  for (const [error, kind, retryable] of cases) {
    it(`${error.name} (${error.code}) is ${kind}${retryable ? ', retryable' : ''}`, () => {
      assert.equal(error.kind, kind);
      assert.equal(error.retryable, retryable);
    });
  }

  it('Graph statuses become kinds: refusals are final, throttling and outages retryable', () => {
    const kinds = [400, 401, 403, 404, 409, 410, 412, 429, 500, 503, -1].map((status) => {
      const error = errorForGraphStatus(status);
      return [status, error.kind, error.retryable];
    });
    assert.deepEqual(kinds, [
      [400, 'invalid', false],
      [401, 'unavailable', true],
      [403, 'forbidden', false],
      [404, 'not_found', false],
      [409, 'conflict', false],
      [410, 'not_found', false],
      [412, 'conflict', false],
      [429, 'unavailable', true],
      [500, 'unavailable', true],
      [503, 'unavailable', true],
      [-1, 'unavailable', true],
    ]);
  });
});
