import assert from 'node:assert/strict';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';

/** The stand-in itself must say no where Graph says no, or the gateway tests prove nothing. */
describe('Graph stand-in', () => {
  let server: GraphServer;

  before(async () => {
    server = await startGraphServer();
  });
  after(async () => {
    await server.stop();
  });
  beforeEach(() => server.reset());

  async function call(method: string, path: string, body?: unknown, headers: Record<string, string> = { Authorization: 'Bearer t' }) {
    const response = await fetch(`${server.baseUrl}${path}`, {
      method,
      headers: { ...headers, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return { status: response.status, headers: response.headers, json: text === '' ? undefined : (JSON.parse(text) as Record<string, unknown>) };
  }

  it('answers 401 in Graph\'s error shape without a bearer token, and records the request', async () => {
    const user = server.addUser();

    const answer = await call('GET', `/v1.0/users/${user.id}`, undefined, {});

    assert.equal(answer.status, 401);
    assert.equal((answer.json?.error as { code: string }).code, 'InvalidAuthenticationToken');
    assert.equal(typeof (answer.json?.error as { message: unknown }).message, 'string');
    assert.equal(server.requests[0]?.status, 401);
  });

  it('leaves department and userType out unless $select asks for them, as Graph does', async () => {
    const user = server.addUser({ department: 'Waterbeheer', userType: 'Guest' });

    const plain = await call('GET', `/v1.0/users/${user.id}`);
    const selected = await call('GET', `/v1.0/users/${user.id}?$select=id,department,userType`);

    assert.equal('department' in (plain.json ?? {}), false);
    assert.equal(selected.json?.department, 'Waterbeheer');
    assert.equal(selected.json?.userType, 'Guest');
  });

  it('refuses a batch of more than 20 requests', async () => {
    const requests = Array.from({ length: 21 }, (_, i) => ({ id: String(i), method: 'GET', url: '/users/x' }));

    const answer = await call('POST', '/v1.0/$batch', { requests });

    assert.equal(answer.status, 400);
    assert.match((answer.json?.error as { message: string }).message, /maximum of 20/);
  });

  it('refuses a batch step with a body but no Content-Type', async () => {
    const answer = await call('POST', '/v1.0/$batch', { requests: [{ id: '1', method: 'PATCH', url: '/users/x/events/y', body: { subject: 's' } }] });
    assert.equal(answer.status, 400);
  });

  it('refuses unknown or read-only event properties and unknown time zones', async () => {
    const user = server.addUser();
    const base = { start: { dateTime: '2030-01-01T10:00:00', timeZone: 'UTC' }, end: { dateTime: '2030-01-01T11:00:00', timeZone: 'UTC' } };

    assert.equal((await call('POST', `/v1.0/users/${user.id}/events`, { ...base, title: 'no such property' })).status, 400);
    assert.equal((await call('POST', `/v1.0/users/${user.id}/events`, { ...base, iCalUId: 'mine' })).status, 400);
    assert.equal((await call('POST', `/v1.0/users/${user.id}/events`, { ...base, start: { dateTime: '2030-01-01T10:00:00', timeZone: 'Nowhere/Special' } })).status, 400);
    assert.equal(server.eventsOf(user.id).length, 0);
  });

  it('converts wall-clock times in an IANA zone and answers in the zone asked for by Prefer', async () => {
    const user = server.addUser();
    const created = await call('POST', `/v1.0/users/${user.id}/events`, {
      subject: 'Zomer',
      start: { dateTime: '2030-07-01T10:00:00', timeZone: 'Europe/Berlin' },
      end: { dateTime: '2030-07-01T11:00:00', timeZone: 'Europe/Berlin' },
    });
    assert.equal(created.status, 201);
    assert.deepEqual(created.json?.start, { dateTime: '2030-07-01T08:00:00.0000000', timeZone: 'UTC' });

    const inZone = await call('GET', `/v1.0/users/${user.id}/events/${String(created.json?.id)}`, undefined, { Authorization: 'Bearer t', Prefer: 'outlook.timezone="America/New_York"' });
    assert.deepEqual(inZone.json?.start, { dateTime: '2030-07-01T04:00:00.0000000', timeZone: 'America/New_York' });
  });

  it('fails the next matching requests as told, with Retry-After, then recovers', async () => {
    const user = server.addUser();
    server.failNext({ status: 429, retryAfter: 7, times: 2 });

    const first = await call('GET', `/v1.0/users/${user.id}`);
    const second = await call('GET', `/v1.0/users/${user.id}`);
    const third = await call('GET', `/v1.0/users/${user.id}`);

    assert.deepEqual([first.status, second.status, third.status], [429, 429, 200]);
    assert.equal(first.headers.get('retry-after'), '7');
    assert.equal((first.json?.error as { code: string }).code, 'TooManyRequests');
  });
});
