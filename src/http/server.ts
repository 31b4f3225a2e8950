/**
 * Listens, and shuts down gracefully: stop accepting, let in-flight requests finish (up to
 * a deadline), then run the closers (database last) and resolve.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
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
  // A request Node's HTTP parser refuses never reaches express: answer it with a problem too,
  // unless the connection is still writing an answer to an earlier request.
  const answering = new WeakSet<Duplex>();
  server.on('request', (req: IncomingMessage, res: ServerResponse) => {
    answering.add(req.socket);
    res.once('close', () => answering.delete(req.socket));
  });
  server.on('clientError', (err: Error & { code?: string }, socket: Duplex) => answerClientError(err, socket, answering.has(socket)));
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

/** Node's own answers to a request its parser refuses (as its default handler gives them), as problems. */
const parserProblems = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', 'request_headers_too_large', 'The request line or headers are too large.'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'Content Too Large', 'payload_too_large', 'The request body is too large.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'request_timeout', 'The request took too long to arrive.'],
  // Literal types, so test/errors/problem-codes.test.ts finds the codes.
} as const satisfies Record<string, readonly [number, string, string, string]>;

const answered = new WeakSet<Duplex>();

/**
 * The `clientError` handler: the problem Node's parser found, as `application/problem+json`
 * written to the socket (there is no request or response object yet), then the connection
 * closed; a socket that is gone or still busy with another answer is only closed. The close
 * lingers (RFC 9112 section 9.6): what the client is still sending (the rest of an
 * oversized request) is read and dropped for a moment, since closing with it unread would
 * reset the connection and the client could lose the answer.
 */
function answerClientError(err: Error & { code?: string }, socket: Duplex, busy: boolean): void {
  // Node's parser reports again on every later chunk of the same request: answered once, it lingers.
  if (answered.has(socket)) return;
  if (err.code === 'ECONNRESET' || !socket.writable || busy) {
    socket.destroy();
    return;
  }
  const known = err.code !== undefined && Object.hasOwn(parserProblems, err.code) ? parserProblems[err.code as keyof typeof parserProblems] : undefined;
  const [status, reason, code, detail] = known ?? ([400, 'Bad Request', 'malformed_request', 'The request is not valid HTTP.'] as const);
  const body = JSON.stringify({ type: `https://meent.app/problems/${code}`, title: reason, status, code, detail });
  answered.add(socket);
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/problem+json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nCache-Control: no-store\r\nConnection: close\r\n\r\n${body}`);
  socket.on('data', () => undefined);
  socket.resume();
  setTimeout(() => socket.destroy(), 2_000).unref();
}
