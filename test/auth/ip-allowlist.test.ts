import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import request from 'supertest';
import { AuditEntryModel } from '../../src/audit/audit-entry.model.js';
import { IpAllowlist } from '../../src/auth/ip-allowlist.js';
import { DEMO_TENANT_ID } from '../../src/local/demo-people.js';
import { useTestDatabase } from '../support/database.js';
import { buildIdentityApp } from '../support/identity-app.js';

const localEnv = (extra: Record<string, string>) => ({ NODE_ENV: 'test', LOG_LEVEL: 'silent', AUTH_MODE: 'local', ...extra });

describe('IP allow-list', () => {
  describe('IpAllowlist (matching)', () => {
    const list = new IpAllowlist(['10.0.0.0/8', '192.168.10.0/24', '2001:db8::/32', '::ffff:172.16.0.0/108']);
    const table: [string | undefined, boolean][] = [
      ['10.1.2.3', true],
      ['10.255.255.255', true],
      ['11.0.0.1', false],
      ['192.168.10.200', true],
      ['192.168.11.1', false],
      ['2001:db8::1', true],
      ['2001:db8:ffff::1', true],
      ['2001:db9::1', false],
      ['::ffff:10.9.8.7', true], // IPv4-mapped IPv6, as Node reports IPv4 clients on a dual-stack socket
      ['::ffff:11.0.0.1', false],
      ['172.16.5.5', true], // a range written IPv4-mapped matches plain IPv4
      ['fe80::1%eth0', false],
      ['not-an-address', false],
      ['', false],
      [undefined, false],
    ];
    for (const [ip, allowed] of table) {
      it(`${ip ?? '(no address)'} -> ${allowed ? 'allowed' : 'denied'}`, () => {
        assert.equal(list.allows(ip), allowed);
      });
    }

    it('is open (allows everyone) when empty', () => {
      assert.equal(new IpAllowlist([]).allows('203.0.113.9'), true);
    });
  });

  describe('on HTTP, behind a proxy', () => {
    useTestDatabase('ipallow');
    beforeEach(async () => {
      await AuditEntryModel.deleteMany({});
    });

    // Allowed requests get past the network policy and are then refused by authentication (401);
    // denied ones stop at the policy (403 ip_not_allowed).
    const behindLoopbackProxy = () => buildIdentityApp(localEnv({ IP_ALLOWLIST: '10.0.0.0/8,2001:db8::/32', TRUST_PROXY: '127.0.0.1/32,::1/128,::ffff:127.0.0.1/128' })).app;

    it('lets an allowed IPv4 client in (X-Forwarded-For from the trusted proxy)', async () => {
      const res = await request(behindLoopbackProxy()).get('/api/v1/me').set('X-Forwarded-For', '10.1.2.3');
      assert.equal(res.status, 401);
    });

    it('keeps an IPv4 client outside the ranges out, with 403 problem+json, audited', async () => {
      const res = await request(behindLoopbackProxy()).get('/api/v1/me').set('X-Forwarded-For', '192.0.2.7');
      assert.equal(res.status, 403);
      assert.equal(res.body.code, 'ip_not_allowed');
      assert.match(res.headers['content-type'] ?? '', /^application\/problem\+json/);
      const entry = await AuditEntryModel.findOne({ kind: 'access.denied' }).lean();
      assert.equal(entry?.reason, 'ip_not_allowed');
      assert.equal(entry?.ip, '192.0.2.7');
      assert.equal(entry?.tenantId, DEMO_TENANT_ID);
    });

    it('lets an allowed IPv6 client in', async () => {
      const res = await request(behindLoopbackProxy()).get('/api/v1/me').set('X-Forwarded-For', '2001:db8::5');
      assert.equal(res.status, 401);
    });

    it('keeps an IPv6 client outside the ranges out', async () => {
      const res = await request(behindLoopbackProxy()).get('/api/v1/me').set('X-Forwarded-For', '2001:db9::1');
      assert.equal(res.status, 403);
    });

    it('ignores a spoofed X-Forwarded-For when no proxy is trusted', async () => {
      const app = buildIdentityApp(localEnv({ IP_ALLOWLIST: '10.0.0.0/8' })).app;
      const res = await request(app).get('/api/v1/me').set('X-Forwarded-For', '10.1.2.3');
      assert.equal(res.status, 403, 'the client is 127.0.0.1, whatever the header says');
    });

    it('believes only the hop the trusted proxy added, not what the client put before it', async () => {
      const app = buildIdentityApp(localEnv({ IP_ALLOWLIST: '10.0.0.0/8', TRUST_PROXY: '1' })).app;
      const spoofed = await request(app).get('/api/v1/me').set('X-Forwarded-For', '10.1.2.3, 192.0.2.7');
      assert.equal(spoofed.status, 403, 'the proxy saw 192.0.2.7; the 10.1.2.3 before it came from the client');
      const honest = await request(app).get('/api/v1/me').set('X-Forwarded-For', '192.0.2.7, 10.1.2.3');
      assert.equal(honest.status, 401);
    });

    it('also guards the tab and the sign-in page, but not the health checks or the bot endpoint', async () => {
      const app = buildIdentityApp(localEnv({ IP_ALLOWLIST: '10.0.0.0/8' })).app;
      assert.equal((await request(app).get('/auth/local')).status, 403);
      assert.equal((await request(app).get('/tab/')).status, 403);
      assert.equal((await request(app).get('/healthz')).status, 200);
      const bot = await request(app).post('/api/messages').send({ type: 'message' });
      assert.notEqual(bot.body.code, 'ip_not_allowed');
    });
  });

  describe('on real sockets (no proxy)', () => {
    useTestDatabase('ipsock');
    let server: Server | undefined;
    afterEach(async () => {
      const s = server;
      server = undefined;
      if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
    });

    async function listenDualStack(allowlist: string): Promise<number> {
      const { app } = buildIdentityApp(localEnv({ IP_ALLOWLIST: allowlist }));
      const s = app.listen(0, '::');
      server = s;
      await new Promise<void>((resolve, reject) => {
        s.once('listening', () => resolve());
        s.once('error', reject);
      });
      return (s.address() as AddressInfo).port;
    }

    it('matches an IPv6 client by its own address', async () => {
      const port = await listenDualStack('::1/128');
      assert.equal((await request(`http://[::1]:${port}`).get('/api/v1/me')).status, 401);
      assert.equal((await request(`http://127.0.0.1:${port}`).get('/api/v1/me')).status, 403);
    });

    it('matches an IPv4 client on a dual-stack socket (::ffff:127.0.0.1) against an IPv4 range', async () => {
      const port = await listenDualStack('127.0.0.0/8');
      assert.equal((await request(`http://127.0.0.1:${port}`).get('/api/v1/me')).status, 401);
      assert.equal((await request(`http://[::1]:${port}`).get('/api/v1/me')).status, 403);
    });
  });
});
