/**
 * Listens, and shuts down gracefully: stop accepting, let in-flight requests finish (up to
 * a deadline), then run the closers (database last) and resolve.
 */
import { createServer, type Server } from 'node:http';
import type { Express } from 'express';
import type { Logger } from 'pino';

export interface RunningServer {
  server: Server;
  port: number;
  /** Idempotent. */
  close(): Promise<void>;
}

export async function listen(app: Express, options: { port: number; host: string; shutdownTimeoutMs: number; logger: Logger; onClose?: Array<() => Promise<void>> }): Promise<RunningServer> {
  const server = createServer(app);
  // Behind Azure's load balancer idle connections are cut at 4 minutes; keep ours shorter than theirs is long.
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  server.requestTimeout = 60_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;

  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      options.logger.info('shutting down: no new connections, finishing in-flight requests');
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Keep-alive connections become idle as their last request finishes; close them then.
      const sweep = setInterval(() => server.closeIdleConnections(), 100);
      server.closeIdleConnections();
      const deadline = setTimeout(() => {
        options.logger.warn('shutdown deadline reached; closing remaining connections');
        server.closeAllConnections();
      }, options.shutdownTimeoutMs);
      deadline.unref();
      await closed;
      clearInterval(sweep);
      clearTimeout(deadline);
      for (const closer of options.onClose ?? []) {
        await closer().catch((err: unknown) => options.logger.error({ err }, 'error while closing'));
      }
      options.logger.info('shut down');
    })();
    return closing;
  };
  return { server, port, close };
}
