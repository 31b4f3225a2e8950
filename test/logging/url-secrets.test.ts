import assert from 'node:assert/strict';
import { isUrlSecret, newUrlSecret, redactParameters, redactSerializedRequest, redactUrl } from '../../src/logging/url-secrets.js';

describe('secrets in URLs', () => {
  const secret = newUrlSecret();

  it('makes 256-bit secrets of one recognisable shape', () => {
    assert.equal(secret.length, 43);
    assert.ok(isUrlSecret(secret));
    assert.notEqual(newUrlSecret(), secret);
    for (const other of ['', 'not-a-token', `${secret}x`, secret.slice(1), '0123456789abcdef01234567']) assert.ok(!isUrlSecret(other), other);
  });

  it('redacts a secret path segment on any route, keeping the rest of the URL', () => {
    assert.equal(redactUrl(`/calendar/feeds/${secret}.ics`), '/calendar/feeds/[redacted].ics');
    assert.equal(redactUrl(`/anything/${secret}/else?x=1`), '/anything/[redacted]/else?x=1');
    assert.equal(redactUrl(`https://meent.example/calendar/feeds/${secret}.ics`), 'https://meent.example/calendar/feeds/[redacted].ics');
  });

  it('redacts one percent-encoded, or typed with characters added', () => {
    const encoded = [...secret].map((c) => `%${c.charCodeAt(0).toString(16)}`).join('');
    assert.equal(redactUrl(`/calendar/feeds/${encoded}.ics`), '/calendar/feeds/[redacted].ics');
    assert.equal(redactUrl(`/calendar/feeds/${secret}xyz.ics`), '/calendar/feeds/[redacted].ics');
  });

  it('redacts secret query values, and every value of a credential parameter', () => {
    assert.equal(redactUrl(`/feed?t=${secret}&page=2`), '/feed?t=[redacted]&page=2');
    assert.equal(redactUrl(`/auth/consent/callback?code=0.AXEA-short.code&state=${secret}`), '/auth/consent/callback?code=[redacted]&state=[redacted]');
    assert.equal(redactUrl(`/x?${secret}`), '/x?[redacted]');
    assert.equal(redactUrl('/api/v1/events/65f1c0ffee0123456789abcd?from=2025-01-01'), '/api/v1/events/65f1c0ffee0123456789abcd?from=2025-01-01', 'ids and dates stay');
    assert.equal(redactUrl('/x?q=%E0%A4%A'), '/x?q=%E0%A4%A', 'malformed encoding is kept, not thrown on');
  });

  it('redacts parsed query and route parameters, and the Referer, of a serialized request', () => {
    assert.deepEqual(redactParameters({ token: 'short', q: secret, list: [secret, 'ok'], nested: { code: 'abc' } }), { token: '[redacted]', q: '[redacted]', list: ['[redacted]', 'ok'], nested: { code: '[redacted]' } });
    const serialized = { id: '1', method: 'GET', url: `/calendar/feeds/${secret}.ics`, query: {}, params: { token: `${secret}.ics` }, headers: { host: 'meent.example', referer: `https://meent.example/calendar/feeds/${secret}.ics` } };
    const redacted = redactSerializedRequest(serialized);
    assert.ok(!JSON.stringify(redacted).includes(secret));
    assert.equal(redacted.url, '/calendar/feeds/[redacted].ics');
    assert.equal(redacted.headers.host, 'meent.example');
  });
});
