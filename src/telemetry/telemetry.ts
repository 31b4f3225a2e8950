/**
 * Starts OpenTelemetry for the process, or nothing: with APPLICATIONINSIGHTS_CONNECTION_STRING,
 * Azure Monitor's distribution (`@azure/monitor-opentelemetry`: traces and metrics to
 * Application Insights); else with OTEL_EXPORTER_OTLP_ENDPOINT, the OpenTelemetry SDK with
 * OTLP/HTTP exporters (any collector: Grafana, Jaeger, an OpenTelemetry Collector in front of
 * Azure Monitor); with neither, no SDK is registered, every instrument is the API's no-op, and
 * nothing is sent anywhere.
 * https://learn.microsoft.com/en-us/azure/azure-monitor/app/opentelemetry-enable?tabs=nodejs
 */
import { context, metrics, propagation, trace } from '@opentelemetry/api';
import type { Logger } from 'pino';
import type { Config } from '../config/config.js';
import { observeNotificationBacklog } from './meent-metrics.js';

export interface Telemetry {
  readonly exporter: 'azure-monitor' | 'otlp';
  /** Sends what is buffered now (tests; shutdown does it too). */
  flush(): Promise<void>;
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  config: Pick<Config, 'telemetry'>;
  logger: Pick<Logger, 'info' | 'warn'>;
  /** Notifications waiting to go out, observed as a gauge at each export. */
  notificationBacklog?: () => Promise<number>;
}

export async function startTelemetry(options: TelemetryOptions): Promise<Telemetry | undefined> {
  const settings = options.config.telemetry;
  let telemetry: Telemetry | undefined;
  if (settings.applicationInsightsConnectionString) {
    telemetry = await startAzureMonitor(settings.applicationInsightsConnectionString, settings);
  } else if (settings.otlpEndpoint) {
    telemetry = await startOtlp(settings.otlpEndpoint, settings);
  }
  if (!telemetry) return undefined;
  const stopObserving = options.notificationBacklog ? observeNotificationBacklog(options.notificationBacklog) : undefined;
  // Where to, never the connection string (it names the resource's instrumentation key).
  options.logger.info({ exporter: telemetry.exporter, serviceName: settings.serviceName }, 'telemetry started');
  const started = telemetry;
  return {
    exporter: started.exporter,
    flush: () => started.flush(),
    async shutdown() {
      stopObserving?.();
      await started.shutdown();
    },
  };
}

type Settings = Config['telemetry'];

async function startAzureMonitor(connectionString: string, settings: Settings): Promise<Telemetry> {
  const { useAzureMonitor, shutdownAzureMonitor, _getSdkInstance } = await import('@azure/monitor-opentelemetry');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  useAzureMonitor({
    azureMonitorExporterOptions: { connectionString },
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    // Meent's own request spans (request-telemetry.ts); the http auto-instrumentation would double them.
    instrumentationOptions: { http: { enabled: false } },
    // Live Metrics polls Azure from every instance; opt in through the portal's own setting instead.
    enableLiveMetrics: false,
  });
  return {
    exporter: 'azure-monitor',
    async flush() {
      const sdk = _getSdkInstance() as unknown as { _tracerProvider?: { forceFlush(): Promise<void> }; _meterProvider?: { forceFlush(): Promise<void> } } | undefined;
      await Promise.all([sdk?._tracerProvider?.forceFlush(), sdk?._meterProvider?.forceFlush()]);
    },
    async shutdown() {
      await shutdownAzureMonitor();
      disableGlobals();
    },
  };
}

async function startOtlp(endpoint: string, settings: Settings): Promise<Telemetry> {
  const [{ NodeSDK }, { OTLPTraceExporter }, { OTLPMetricExporter }, { PeriodicExportingMetricReader }, { resourceFromAttributes }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/exporter-trace-otlp-http'),
    import('@opentelemetry/exporter-metrics-otlp-http'),
    import('@opentelemetry/sdk-metrics'),
    import('@opentelemetry/resources'),
  ]);
  const base = endpoint.replace(/\/+$/, '');
  const metricReader = new PeriodicExportingMetricReader({ exporter: new OTLPMetricExporter({ url: `${base}/v1/metrics` }), exportIntervalMillis: settings.metricExportIntervalMs });
  const sdk = new NodeSDK({
    resource: resourceFromAttributes({ 'service.name': settings.serviceName }),
    // No host or process detectors: the service name is what operators filter on, and detectors read the environment themselves.
    autoDetectResources: false,
    traceExporter: new OTLPTraceExporter({ url: `${base}/v1/traces` }),
    metricReader,
    instrumentations: [],
  });
  sdk.start();
  return {
    exporter: 'otlp',
    async flush() {
      const provider = trace.getTracerProvider() as unknown as { getDelegate?: () => { forceFlush?: () => Promise<void> } };
      await provider.getDelegate?.().forceFlush?.();
      await metricReader.forceFlush();
    },
    async shutdown() {
      await sdk.shutdown();
      disableGlobals();
    },
  };
}

/** Unregisters the global providers, so a later start (tests) registers afresh and nothing keeps exporting. */
function disableGlobals(): void {
  trace.disable();
  metrics.disable();
  propagation.disable();
  context.disable();
}
