/**
 * TLS material for the local stand-ins (identity provider, Graph, Bot connector).
 * `scripts/test.mjs` creates a throw-away CA and a localhost certificate before mocha starts
 * and trusts the CA through NODE_EXTRA_CA_CERTS (read by Node only at process start), so the
 * production code talks real HTTPS to the stand-ins without any "ignore TLS errors" switch.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export interface TlsCredentials {
  key: Buffer;
  cert: Buffer;
  ca: Buffer;
}

let cached: TlsCredentials | undefined;

export function testTlsCredentials(): TlsCredentials {
  if (cached) return cached;
  const dir = process.env.MEENT_TEST_TLS_DIR;
  if (!dir) throw new Error('MEENT_TEST_TLS_DIR is not set: run the tests through `npm test` (scripts/test.mjs), which creates the test CA');
  cached = {
    key: readFileSync(join(dir, 'server.key')),
    cert: readFileSync(join(dir, 'server.crt')),
    ca: readFileSync(join(dir, 'ca.crt')),
  };
  return cached;
}
