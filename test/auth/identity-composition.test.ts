import assert from 'node:assert/strict';
import request from 'supertest';
import { buildApplication } from '../../src/composition.js';
import { loadConfig } from '../../src/config/config.js';
import { DEMO_PEOPLE } from '../../src/local/demo-people.js';
import { createLogger } from '../../src/logging/logger.js';
import { useTestDatabase } from '../support/database.js';
import { entraEnvironment } from '../support/identity-app.js';

describe('the identity layer in the composition root', () => {
  useTestDatabase('composition');
  const logger = createLogger('silent');

  it('local mode: the sign-in page, a session, and GET /api/v1/me as the demo person', async () => {
    const config = loadConfig({ NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_MODE: 'local' });
    const application = await buildApplication(config, logger);
    const person = DEMO_PEOPLE[1]!;

    assert.equal((await request(application.app).get('/auth/local')).status, 200);
    assert.equal((await request(application.app).get('/api/v1/me')).status, 401);
    const signIn = await request(application.app).post('/auth/local').set('Origin', config.publicUrl).type('form').send({ person: person.id });
    const cookie = ([] as string[]).concat(signIn.headers['set-cookie'] ?? [])[0]?.split(';')[0] ?? '';
    const me = await request(application.app).get('/api/v1/me').set('Cookie', cookie);
    assert.equal(me.status, 200);
    assert.equal(me.body.name, person.displayName);
    await application.close();
  });

  it('entra mode: /api/v1 wants a bearer token', async () => {
    const config = loadConfig(entraEnvironment('https://login.microsoftonline.com', 'https://graph.microsoft.com'));
    const application = await buildApplication(config, logger);
    const res = await request(application.app).get('/api/v1/me');
    assert.equal(res.status, 401);
    assert.equal(res.headers['www-authenticate'], 'Bearer realm="meent"');
    assert.ok(application.identity.graphCredentials, 'Graph credentials are built from the app registration');
    await application.close();
  });
});
