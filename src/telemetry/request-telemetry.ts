/**
 * A span and a duration measurement for every HTTP request Meent serves, by route template
 * (`/api/v1/events/:id`, never the ids themselves), method and status. Written by hand rather
 * than with the http/express auto-instrumentations: those patch modules as they are loaded
 * with `require`, which an ES module application only gets with a loader flag; this works the
 * same under `node dist/src/main.js`, tsx and the tests. A no-op without a telemetry provider.
 */
import type { RequestHandler } from 'express';
import { context, propagation, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import { recordRequest } from './meent-metrics.js';

const TRACER = 'meent';

export function requestTelemetry(): RequestHandler {
  return (req, res, next) => {
    const started = performance.now();
    const matched = rememberMatchedRoute(req);
    // A caller's W3C traceparent (another service, a test) continues its trace.
    const parent = propagation.extract(context.active(), req.headers);
    const span = trace.getTracer(TRACER).startSpan(req.method, { kind: SpanKind.SERVER, attributes: { 'http.request.method': req.method, 'url.scheme': req.protocol } }, parent);
    res.once('finish', () => {
      const route = routeOf(req, matched);
      const status = res.statusCode;
      span.updateName(`${req.method} ${route}`);
      span.setAttributes({ 'http.route': route, 'http.response.status_code': status });
      if (status >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
      span.end();
      recordRequest((performance.now() - started) / 1000, { method: req.method, route, status });
    });
    context.with(trace.setSpan(parent, span), next);
  };
}

type Req = Parameters<RequestHandler>[0];

/**
 * Express sets `req.route` when a route matches, with `req.baseUrl` then the router's mount
 * path; by the time the response finishes an error may have unwound the routers and reset
 * `baseUrl` to ''. So the template is taken at the moment the route is set.
 */
function rememberMatchedRoute(req: Req): { template?: string } {
  const matched: { template?: string } = {};
  let route: unknown = (req as { route?: unknown }).route;
  Object.defineProperty(req, 'route', {
    configurable: true,
    enumerable: true,
    get: () => route,
    set: (value: unknown) => {
      route = value;
      const path: unknown = (value as { path?: unknown } | undefined)?.path;
      if (typeof path === 'string') matched.template = `${req.baseUrl}${path}`;
    },
  });
  return matched;
}

/** The matched route's template; requests no route matched (the tab's files, 404s) share one name. */
function routeOf(req: Req, matched: { template?: string }): string {
  if (matched.template !== undefined) return matched.template;
  if (req.path === '/healthz' || req.path === '/readyz') return req.path;
  if (req.originalUrl.startsWith('/tab')) return '/tab/*';
  return 'unmatched';
}
