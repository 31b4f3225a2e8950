/**
 * Meent's own metrics, through the OpenTelemetry API: request rates and latencies, Microsoft
 * Graph and Bot connector calls with their throttling, worker job lag, the notification
 * backlog and the sign-up rate. Capabilities call the `record*` functions; without a meter
 * provider (no APPLICATIONINSIGHTS_CONNECTION_STRING, no OTEL_EXPORTER_OTLP_ENDPOINT) the API
 * is a no-op and nothing is recorded or sent.
 *
 * The OpenTelemetry metrics API has no proxy provider (unlike traces): a meter taken before the
 * SDK registers its provider stays a no-op. So the instruments are made again whenever the
 * global provider changes (src/telemetry/telemetry.ts registers one at start-up).
 */
import { metrics, type Counter, type Histogram, type MeterProvider } from '@opentelemetry/api';

export const METER_NAME = 'meent';

/** The names operators chart and alert on (docs/operations.md); change them only with the docs. */
export const METRIC = {
  requestDuration: 'http.server.request.duration',
  graphCalls: 'meent.graph.calls',
  outboundThrottled: 'meent.outbound.throttled',
  connectorSends: 'meent.notifications.sends',
  jobLag: 'meent.worker.job.lag',
  notificationBacklog: 'meent.notifications.backlog',
  signUps: 'meent.events.signups',
} as const;

interface Instruments {
  provider: MeterProvider;
  requestDuration: Histogram;
  graphCalls: Counter;
  throttled: Counter;
  sends: Counter;
  jobLag: Histogram;
  signUps: Counter;
}

let current: Instruments | undefined;

function instruments(): Instruments {
  const provider = metrics.getMeterProvider();
  if (current?.provider === provider) return current;
  const meter = provider.getMeter(METER_NAME);
  current = {
    provider,
    // The OpenTelemetry semantic convention for HTTP servers (seconds), so dashboards that know it work as is.
    requestDuration: meter.createHistogram(METRIC.requestDuration, { unit: 's', description: 'Duration of HTTP requests Meent served' }),
    graphCalls: meter.createCounter(METRIC.graphCalls, { description: 'Microsoft Graph HTTP attempts, by status' }),
    throttled: meter.createCounter(METRIC.outboundThrottled, { description: 'Answers 429 (or 503 with Retry-After) from Graph or the Bot connector' }),
    sends: meter.createCounter(METRIC.connectorSends, { description: 'Notification sends through the Bot connector or the Graph activity feed, by outcome' }),
    jobLag: meter.createHistogram(METRIC.jobLag, { unit: 's', description: 'How long work waited between becoming due and being done by the worker' }),
    signUps: meter.createCounter(METRIC.signUps, { description: 'New event sign-ups, by resulting status' }),
  };
  return current;
}

export function recordRequest(seconds: number, attributes: { method: string; route: string; status: number }): void {
  instruments().requestDuration.record(seconds, { 'http.request.method': attributes.method, 'http.route': attributes.route, 'http.response.status_code': attributes.status });
}

/** One HTTP attempt to Graph (retries count each); `status` undefined when no answer came. */
export function recordGraphCall(status: number | undefined, path: string): void {
  const i = instruments();
  const outcome = status === undefined ? 'no_answer' : String(status);
  // The path's first segment only (users, teams, chats): ids in the path would make every call its own series.
  const resource = path.replace(/^\/(v1\.0|beta)\//, '/').split('/')[1] ?? '';
  i.graphCalls.add(1, { status: outcome, resource });
  if (status === 429) i.throttled.add(1, { service: 'graph' });
}

export function recordNotificationSend(channel: 'bot-connector' | 'activity-feed' | 'mail', outcome: string, throttled: boolean): void {
  const i = instruments();
  i.sends.add(1, { channel, outcome });
  if (throttled) i.throttled.add(1, { service: channel === 'bot-connector' ? 'bot-connector' : 'graph' });
}

/** `job`: which worker job (notification-delivery, ...); `seconds` between due and done. */
export function recordJobLag(job: string, seconds: number): void {
  instruments().jobLag.record(Math.max(0, seconds), { job });
}

export function recordSignUp(status: string): void {
  instruments().signUps.add(1, { status });
}

/**
 * Observes the notification backlog (notifications waiting to go out) at each export. Returns
 * a function that stops observing. Counting is one indexed query per export interval.
 */
export function observeNotificationBacklog(count: () => Promise<number>): () => void {
  const meter = metrics.getMeterProvider().getMeter(METER_NAME);
  const gauge = meter.createObservableGauge(METRIC.notificationBacklog, { description: 'Notifications waiting to be delivered' });
  const callback = async (result: { observe(value: number): void }) => {
    try {
      result.observe(await count());
    } catch {
      // The store is unreachable: /readyz says so; no number rather than a wrong one.
    }
  };
  gauge.addCallback(callback);
  return () => gauge.removeCallback(callback);
}
