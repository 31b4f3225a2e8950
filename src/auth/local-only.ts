/**
 * Local mode signs anyone in as any demo person, admins included, with one click: it must
 * serve this machine's browser and nothing else. It binds to a loopback address, but a tunnel
 * (dev tunnels, ngrok) or a DNS-rebinding page still reaches a loopback server; both show in
 * the request: a Host that is not a loopback name, or the forwarding headers a tunnel adds.
 * Such requests are refused, unless TRUST_PROXY says a proxy in front is intended.
 */
import type { RequestHandler } from 'express';
import { isLoopbackHost } from '../config/config.js';
import { ForbiddenError } from '../errors/domain-errors.js';

const FORWARDING_HEADERS = ['x-forwarded-for', 'x-forwarded-host', 'x-forwarded-proto', 'forwarded', 'x-original-host'];

export function localOnly(options: { trustsProxy: boolean }): RequestHandler {
  return (req, _res, next) => {
    const host = (req.get('host') ?? '').replace(/:\d+$/, '');
    const forwarded = !options.trustsProxy && FORWARDING_HEADERS.some((h) => req.get(h) !== undefined);
    if (!isLoopbackHost(host) || forwarded) {
      next(new ForbiddenError('Local mode answers this computer only: open Meent at its 127.0.0.1 address, not through a tunnel or another name.', 'local_only'));
      return;
    }
    next();
  };
}
