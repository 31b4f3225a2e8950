/**
 * Operations telemetry: with OTEL_EXPORTER_OTLP_ENDPOINT set, request spans and Meent's own
 * metrics reach an OTLP/HTTP receiver (a local one here, accepting /v1/traces and /v1/metrics
 * as a collector does); with nothing configured, no SDK starts and nothing is sent.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import pino from 'pino';
import request from 'supertest';
import { loadConfig } from '../../src/config/config.js';
import { meentGraphClient } from '../../src/graph/graph-client.js';
import { createApp } from '../../src/http/app.js';
import { recordJobLag, recordNotificationSend, recordSignUp, METRIC } from '../../src/telemetry/meent-metrics.js';
import { startTelemetry, type Telemetry } from '../../src/telemetry/telemetry.js';
import { startGraphServer, type GraphServer } from '../support/graph-server.js';

interface Received {
  path: string;
  contentType: string;
  body: unknown;
}

/** An OTLP/HTTP receiver: takes what a collector takes, keeps it, answers 200 with an empty partial success. */
async function startReceiver(): Promise<{ url: string; received: Received[]; stop(): Promise<void> }> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const contentType = req.headers['content-type'] ?? '';
      if (req.method !== 'POST' || (req.url !== '/v1/traces' && req.url !== '/v1/metrics')) {
        res.writeHead(404).end();
        return;
      }
      received.push({ path: req.url, contentType, body: contentType.includes('json') ? JSON.parse(text) : text });
      res.writeHead(200, { 'Content-Type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received,
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

interface OtlpAttribute {
  key: string;
  value: { stringValue?: string; intValue?: number | string; doubleValue?: number };
}
interface OtlpSpan {
  name: string;
  traceId: string;
  kind: number;
  attributes: OtlpAttribute[];
}
interface OtlpMetric {
  name: string;
  histogram?: { dataPoints: { attributes: OtlpAttribute[]; count: number | string; sum?: number }[] };
  sum?: { dataPoints: { attributes: OtlpAttribute[]; asInt?: number | string; asDouble?: number }[] };
  gauge?: { dataPoints: { attributes: OtlpAttribute[]; asInt?: number | string; asDouble?: number }[] };
}

function spansOf(received: Received[]): OtlpSpan[] {
  return received
    .filter((r) => r.path === '/v1/traces')
    .flatMap((r) => (r.body as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] }).resourceSpans.flatMap((rs) => rs.scopeSpans.flatMap((ss) => ss.spans)));
}

function metricsOf(received: Received[]): OtlpMetric[] {
  return received
    .filter((r) => r.path === '/v1/metrics')
    .flatMap((r) => (r.body as { resourceMetrics: { scopeMetrics: { metrics: OtlpMetric[] }[] }[] }).resourceMetrics.flatMap((rm) => rm.scopeMetrics.flatMap((sm) => sm.metrics)));
}

const attr = (attributes: OtlpAttribute[], key: string) => {
  const v = attributes.find((a) => a.key === key)?.value;
  return v?.stringValue ?? (v?.intValue !== undefined ? Number(v.intValue) : v?.doubleValue);
};
const value = (p: { asInt?: number | string; asDouble?: number }) => Number(p.asInt ?? p.asDouble);

function testApp(config: ReturnType<typeof loadConfig>) {
  const router = express.Router();
  router.get('/things/:id', (req, res) => void res.json({ id: req.params.id }));
  router.get('/broken', () => {
    throw new Error('boom');
  });
  return createApp({ config, logger: pino({ level: 'silent' }), isReady: () => Promise.resolve(true), apiRouters: [router] });
}

describe('operations telemetry', function () {
  this.timeout(30_000);
  let receiver: Awaited<ReturnType<typeof startReceiver>>;
  let graph: GraphServer;
  const logger = { info: () => undefined, warn: () => undefined };
  before(async () => {
    receiver = await startReceiver();
    graph = await startGraphServer();
  });
  after(async () => {
    await receiver.stop();
    await graph.stop();
  });

  it('sends nothing and starts no SDK when neither a connection string nor an OTLP endpoint is set', async () => {
    const config = loadConfig({ NODE_ENV: 'test' });
    assert.equal(config.telemetry.otlpEndpoint, undefined);
    assert.equal(config.telemetry.applicationInsightsConnectionString, undefined);
    const telemetry = await startTelemetry({ config, logger, notificationBacklog: () => Promise.resolve(3) });
    assert.equal(telemetry, undefined);
    const app = testApp(config);
    await request(app).get('/api/v1/things/1').expect(200);
    recordSignUp('registered');
    await new Promise((resolve) => setTimeout(resolve, 200));
    assert.deepEqual(receiver.received, []);
  });

  describe('with OTEL_EXPORTER_OTLP_ENDPOINT', () => {
    let telemetry: Telemetry | undefined;
    before(async () => {
      receiver.received.length = 0;
      // A long export interval: the test flushes when it wants the numbers, so they come in one export.
      const config = loadConfig({ NODE_ENV: 'test', OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url, OTEL_SERVICE_NAME: 'meent-test', OTEL_METRIC_EXPORT_INTERVAL: '600000' });
      telemetry = await startTelemetry({ config, logger, notificationBacklog: () => Promise.resolve(7) });
      assert.equal(telemetry?.exporter, 'otlp');
      const app = testApp(config);
      const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
      await request(app).get('/api/v1/things/42').set('traceparent', `00-${traceId}-00f067aa0ba902b7-01`).expect(200);
      await request(app).get('/api/v1/things/43').expect(200);
      await request(app).get('/api/v1/broken').expect(500);
      await request(app).get('/readyz').expect(200);
      // A Graph call throttled once (429 + Retry-After 0), then answered: two attempts, one throttled.
      graph.failNext({ status: 429, retryAfter: 0 });
      const user = graph.addUser({ displayName: 'Anouk' });
      const client = meentGraphClient({ baseUrl: graph.baseUrl, getAccessToken: () => Promise.resolve('token') });
      await client.api(`/users/${user.id}`).get();
      // What the worker and the sign-up service record (their own tests drive them; here, that they reach the exporter).
      recordNotificationSend('bot-connector', 'throttled', true);
      recordNotificationSend('bot-connector', 'sent', false);
      recordJobLag('notification-delivery', 12.5);
      recordSignUp('registered');
      recordSignUp('waitlisted');
      await telemetry?.flush();
    });
    after(async () => {
      await telemetry?.shutdown();
    });

    it('exports a server span per request, named by route template, continuing the caller trace, as OTLP JSON', () => {
      assert.ok(receiver.received.some((r) => r.path === '/v1/traces' && r.contentType.includes('application/json')));
      const spans = spansOf(receiver.received);
      const names = spans.map((s) => s.name).sort();
      assert.deepEqual(names, ['GET /api/v1/broken', 'GET /api/v1/things/:id', 'GET /api/v1/things/:id', 'GET /readyz']);
      const continued = spans.find((s) => s.traceId === '4bf92f3577b34da6a3ce929d0e0e4736');
      assert.ok(continued, 'the span continues the trace of the incoming traceparent');
      assert.equal(attr(continued.attributes, 'http.response.status_code'), 200);
      assert.equal(continued.kind, 2, 'SERVER');
      const broken = spans.find((s) => s.name === 'GET /api/v1/broken');
      assert.equal(attr(broken?.attributes ?? [], 'http.response.status_code'), 500);
    });

    it('exports request latencies, Graph calls with throttling, notification sends, job lag, the backlog and sign-ups', () => {
      const metrics = metricsOf(receiver.received);
      const byName = new Map(metrics.map((m) => [m.name, m]));
      const durations = byName.get(METRIC.requestDuration)?.histogram?.dataPoints ?? [];
      const things = durations.find((p) => attr(p.attributes, 'http.route') === '/api/v1/things/:id' && attr(p.attributes, 'http.response.status_code') === 200);
      assert.equal(Number(things?.count), 2, 'two requests to the route');
      assert.ok(durations.some((p) => attr(p.attributes, 'http.response.status_code') === 500));

      const graphCalls = byName.get(METRIC.graphCalls)?.sum?.dataPoints ?? [];
      assert.equal(value(graphCalls.find((p) => attr(p.attributes, 'status') === '429') ?? {}), 1);
      assert.equal(value(graphCalls.find((p) => attr(p.attributes, 'status') === '200') ?? {}), 1);
      assert.equal(attr(graphCalls[0]?.attributes ?? [], 'resource'), 'users', 'by resource, without ids');

      const throttled = byName.get(METRIC.outboundThrottled)?.sum?.dataPoints ?? [];
      assert.equal(value(throttled.find((p) => attr(p.attributes, 'service') === 'graph') ?? {}), 1);
      assert.equal(value(throttled.find((p) => attr(p.attributes, 'service') === 'bot-connector') ?? {}), 1);

      const sends = byName.get(METRIC.connectorSends)?.sum?.dataPoints ?? [];
      assert.equal(sends.length, 2);
      const lag = byName.get(METRIC.jobLag)?.histogram?.dataPoints ?? [];
      assert.equal(lag[0]?.sum, 12.5);
      assert.equal(attr(lag[0]?.attributes ?? [], 'job'), 'notification-delivery');
      const backlog = byName.get(METRIC.notificationBacklog)?.gauge?.dataPoints ?? [];
      assert.equal(value(backlog[0] ?? {}), 7);
      const signUps = byName.get(METRIC.signUps)?.sum?.dataPoints ?? [];
      assert.deepEqual(signUps.map((p) => [attr(p.attributes, 'status'), value(p)]).sort(), [['registered', 1], ['waitlisted', 1]]);
    });

    it('names the service in the resource', () => {
      const traces = receiver.received.find((r) => r.path === '/v1/traces')?.body as { resourceSpans: { resource: { attributes: OtlpAttribute[] } }[] };
      assert.equal(attr(traces.resourceSpans[0]?.resource.attributes ?? [], 'service.name'), 'meent-test');
    });
  });
});
