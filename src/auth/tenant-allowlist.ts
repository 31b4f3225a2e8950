/**
 * Which organisations' people may use Meent: the home tenant and `ENTRA_ALLOWED_TENANTS`
 * (in local mode, everyone: there is one demo organisation and nothing is reachable from
 * outside). One rule for every surface: the API's token validator and the bot's actors and
 * conversation references.
 */
import type { Config } from '../config/config.js';

export function tenantAllowlist(config: Pick<Config, 'localMode' | 'entra'>): (tenantId: string) => boolean {
  if (config.localMode) return () => true;
  const allowed = new Set([config.entra.tenantId, ...config.entra.allowedTenants].filter((t): t is string => typeof t === 'string').map((t) => t.toLowerCase()));
  return (tenantId) => allowed.has(tenantId.toLowerCase());
}
