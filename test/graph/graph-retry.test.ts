import assert from 'node:assert/strict';
import { GraphClientError, GraphError } from '@microsoft/microsoft-graph-client';
import {
  ConflictError,
  ForbiddenError,
  NotFoundError,
  UnauthorizedError,
  ValidationError,
} from '../../src/errors/domain-errors.js';
import { errorForGraphStatus, GraphUnavailableError, toDomainError } from '../../src/graph/graph-errors.js';
import { backoffDelayMs, parseRetryAfter, resolveRetryPolicy } from '../../src/graph/graph-retry.js';

describe('graph retry policy', () => {
  const now = Date.parse('2030-05-01T12:00:00Z');

  describe('parseRetryAfter', () => {
    const cases: [string | null | undefined, number | undefined][] = [
      ['1', 1_000],
      ['0', 0],
      [' 30 ', 30_000],
      ['1.5', 1_500],
      ['Wed, 01 May 2030 12:00:10 GMT', 10_000],
      ['Wed, 01 May 2030 11:59:00 GMT', 0],
      ['soon', undefined],
      ['-5', undefined],
      ['', undefined],
      [null, undefined],
      [undefined, undefined],
    ];
    for (const [value, expected] of cases) {
      it(`reads ${JSON.stringify(value)} as ${String(expected)}`, () => {
        assert.equal(parseRetryAfter(value, now), expected);
      });
    }
  });

  it('backs off exponentially with jitter between half and all of each step, up to the cap', () => {
    const policy = { baseDelayMs: 100, maxDelayMs: 1_000 };
    assert.equal(backoffDelayMs(1, policy, () => 0), 50);
    assert.equal(backoffDelayMs(1, policy, () => 1), 100);
    assert.equal(backoffDelayMs(2, policy, () => 1), 200);
    assert.equal(backoffDelayMs(3, policy, () => 0.5), 300);
    assert.equal(backoffDelayMs(10, policy, () => 1), 1_000);
    assert.equal(backoffDelayMs(10, policy, () => 0), 500);
  });

  it('refuses a policy without attempts', () => {
    assert.throws(() => resolveRetryPolicy({ maxAttempts: 0 }), RangeError);
    assert.throws(() => resolveRetryPolicy({ baseDelayMs: -1 }), RangeError);
    assert.equal(resolveRetryPolicy().maxAttempts, 4);
  });
});

describe('graph error mapping', () => {
  const table: [number, new (...args: never[]) => Error, string][] = [
    [400, ValidationError, 'graph_invalid_request'],
    [401, GraphUnavailableError, 'graph_unauthorized'],
    [403, ForbiddenError, 'graph_forbidden'],
    [404, NotFoundError, 'graph_not_found'],
    [405, ValidationError, 'graph_invalid_request'],
    [409, ConflictError, 'graph_conflict'],
    [410, NotFoundError, 'graph_not_found'],
    [412, ConflictError, 'graph_conflict'],
    [429, GraphUnavailableError, 'graph_unavailable'],
    [500, GraphUnavailableError, 'graph_unavailable'],
    [503, GraphUnavailableError, 'graph_unavailable'],
    [504, GraphUnavailableError, 'graph_unavailable'],
    [-1, GraphUnavailableError, 'graph_unavailable'],
    [302, GraphUnavailableError, 'graph_unavailable'],
  ];
  for (const [status, type, code] of table) {
    it(`maps ${status} to ${type.name} ${code}`, () => {
      const error = errorForGraphStatus(status);
      assert.ok(error instanceof type, `${error.constructor.name}`);
      assert.equal(error.code, code);
    });
  }

  it('keeps Graph\'s Retry-After on an unavailable error', () => {
    const error = errorForGraphStatus(429, 7_000);
    assert.ok(error instanceof GraphUnavailableError);
    assert.equal(error.retryAfterMs, 7_000);
  });

  it('maps a GraphError by status, reads its Retry-After, hides its message and keeps it as cause', () => {
    const graphError = new GraphError(429, 'Application is over its MailboxConcurrency limit for mailbox x@contoso.nl');
    graphError.headers = new Headers({ 'Retry-After': '3' });
    const mapped = toDomainError(graphError);
    assert.ok(mapped instanceof GraphUnavailableError);
    assert.equal(mapped.retryAfterMs, 3_000);
    assert.doesNotMatch(mapped.message, /contoso|Mailbox/);
    assert.equal(mapped.cause, graphError);
  });

  it('unwraps a domain error carried by a GraphClientError (token function) and wraps others', () => {
    const consent = new UnauthorizedError('Consent needed.', 'consent_required');
    const carrying = new GraphClientError('token');
    carrying.customError = consent;
    assert.equal(toDomainError(carrying), consent);

    const other = new GraphClientError('token');
    other.customError = new Error('AADSTS50058');
    const mapped = toDomainError(other);
    assert.ok(mapped instanceof GraphUnavailableError);
    assert.doesNotMatch(mapped.message, /AADSTS/);
  });

  it('returns errors that did not come from Graph unchanged', () => {
    const bug = new TypeError('cannot read properties of undefined');
    assert.equal(toDomainError(bug), bug);
    const domain = new NotFoundError();
    assert.equal(toDomainError(domain), domain);
  });
});
