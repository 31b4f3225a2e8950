import assert from 'node:assert/strict';
import { ConfigError, loadConfig } from '../../src/config/config.js';

const problemsOf = (env: Record<string, string>): string[] => {
  try {
    loadConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
};

describe('configuration of the identity layer', () => {
  describe('local mode (AUTH_MODE=local) is for development only', () => {
    it('is refused with NODE_ENV=production', () => {
      const problems = problemsOf({ AUTH_MODE: 'local', NODE_ENV: 'production', PUBLIC_URL: 'https://meent.example.nl' });
      assert.ok(problems.some((p) => p.startsWith('AUTH_MODE must be entra when NODE_ENV=production')), problems.join('\n'));
    });

    for (const host of ['0.0.0.0', '192.168.1.10', '::', 'meent.example.nl']) {
      it(`is refused on a non-loopback HOST (${host})`, () => {
        const problems = problemsOf({ AUTH_MODE: 'local', HOST: host });
        assert.ok(problems.some((p) => p.startsWith('HOST must be a loopback address')), problems.join('\n'));
      });
    }

    for (const host of ['127.0.0.1', '::1', 'localhost']) {
      it(`is accepted on ${host}`, () => {
        assert.equal(loadConfig({ AUTH_MODE: 'local', HOST: host }).localMode, true);
      });
    }

    it('binds to 127.0.0.1 when HOST is not set', () => {
      assert.equal(loadConfig({ AUTH_MODE: 'local' }).host, '127.0.0.1');
    });
  });

  describe('write rate limits', () => {
    it('default to 60 per person and 1200 per address per minute', () => {
      assert.deepEqual(loadConfig({}).rateLimits, { windowMs: 60_000, userWrites: 60, ipWrites: 1200, userReads: 600, ipReads: 6000 });
    });

    it('are read from RATE_LIMIT_*; 0 turns a limit off', () => {
      assert.deepEqual(loadConfig({ RATE_LIMIT_WINDOW_SECONDS: '300', RATE_LIMIT_USER_WRITES: '0', RATE_LIMIT_IP_WRITES: '5000', RATE_LIMIT_USER_READS: '0', RATE_LIMIT_IP_READS: '70' }).rateLimits, { windowMs: 300_000, userWrites: 0, ipWrites: 5000, userReads: 0, ipReads: 70 });
    });

    it('name each wrong value', () => {
      const problems = problemsOf({ RATE_LIMIT_WINDOW_SECONDS: '0', RATE_LIMIT_USER_WRITES: '-1', RATE_LIMIT_IP_WRITES: 'many' });
      assert.ok(problems.some((p) => p.startsWith('RATE_LIMIT_WINDOW_SECONDS is "0"')), problems.join('\n'));
      assert.ok(problems.some((p) => p.startsWith('RATE_LIMIT_USER_WRITES is "-1"')), problems.join('\n'));
      assert.ok(problems.some((p) => p.startsWith('RATE_LIMIT_IP_WRITES is "many"')), problems.join('\n'));
    });
  });

  describe('network policy', () => {
    it('reads IPv4 and IPv6 ranges for IP_ALLOWLIST and refuses anything else', () => {
      assert.deepEqual(loadConfig({ IP_ALLOWLIST: '10.0.0.0/8, 2001:db8::/32' }).ipAllowlist, ['10.0.0.0/8', '2001:db8::/32']);
      assert.ok(problemsOf({ IP_ALLOWLIST: '10.0.0.0/33' }).some((p) => p.startsWith('IP_ALLOWLIST')));
      assert.ok(problemsOf({ IP_ALLOWLIST: 'intranet' }).some((p) => p.startsWith('IP_ALLOWLIST')));
    });

    it('reads TRUST_PROXY as a hop count or CIDR ranges', () => {
      assert.equal(loadConfig({ TRUST_PROXY: '2' }).trustProxy, 2);
      assert.deepEqual(loadConfig({ TRUST_PROXY: '10.0.0.0/8,fd00::/8' }).trustProxy, ['10.0.0.0/8', 'fd00::/8']);
      assert.equal(loadConfig({}).trustProxy, 0);
    });
  });
});
