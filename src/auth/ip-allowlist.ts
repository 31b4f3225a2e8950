/**
 * `IP_ALLOWLIST`: only clients from these IPv4/IPv6 ranges reach Meent: the API, the tab, the
 * sign-in pages and the calendar feeds (a calendar that polls from its vendor's cloud, as
 * Outlook.com and Google do, cannot subscribe then; one on the organisation's network can).
 * The health endpoints answer anyone (load balancers). The client address is express' `req.ip`, which believes `X-Forwarded-For`
 * only from the proxies `TRUST_PROXY` names (set on the app as `trust proxy`), so a client
 * cannot talk its way in with a forged header. IPv4-mapped IPv6 addresses (`::ffff:a.b.c.d`)
 * are matched as IPv4. The bot endpoint is exempt: Teams' messages come from Microsoft's Bot
 * Framework service, not from the organisation's network, and carry their own proof.
 */
import type { RequestHandler } from 'express';
import ipaddr from 'ipaddr.js';
import { ForbiddenError } from '../errors/domain-errors.js';

type Range = [ipaddr.IPv4 | ipaddr.IPv6, number];

export class IpAllowlist {
  private readonly ranges: Range[];

  constructor(cidrs: string[]) {
    this.ranges = cidrs.map((cidr) => {
      const [address, bits] = ipaddr.parseCIDR(cidr);
      // A range written as an IPv4-mapped IPv6 prefix is an IPv4 range.
      if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress() && bits >= 96) {
        return [(address as ipaddr.IPv6).toIPv4Address(), bits - 96] as Range;
      }
      return [address, bits] as Range;
    });
  }

  get isOpen(): boolean {
    return this.ranges.length === 0;
  }

  allows(ip: string | undefined): boolean {
    if (this.isOpen) return true;
    if (ip === undefined || !ipaddr.isValid(ip.replace(/%.*$/, ''))) return false;
    const address = ipaddr.process(ip.replace(/%.*$/, ''));
    return this.ranges.some(([range, bits]) => range.kind() === address.kind() && address.match(range, bits));
  }
}

export interface IpAllowlistMiddlewareOptions {
  allowlist: IpAllowlist;
  /** Paths (as mounted, e.g. `/api/messages`) that the list does not apply to. */
  exempt?: string[];
  onDenied?: (denied: { ip: string | undefined; method: string; path: string }) => void | Promise<void>;
}

export function ipAllowlistMiddleware(options: IpAllowlistMiddlewareOptions): RequestHandler {
  const exempt = new Set(options.exempt ?? []);
  return async (req, _res, next) => {
    const path = req.originalUrl.split('?')[0] ?? '';
    if (exempt.has(path) || options.allowlist.allows(req.ip)) {
      next();
      return;
    }
    await options.onDenied?.({ ip: req.ip, method: req.method, path });
    next(new ForbiddenError('Meent cannot be reached from this network.', 'ip_not_allowed'));
  };
}
