/**
 * The one way the tab talks to the Meent API (`/api/v1`). Inside Teams every request carries
 * the user's SSO token as a bearer token; in the browser (local mode) the session cookie
 * from the local sign-in does. Every failure rejects with an `ApiProblem`.
 */
import { ApiProblem, problemFromResponse } from './api-problem.js';

/** Returns a fresh access token for the API (Teams SSO); rejects with an `ApiProblem`. */
export type TokenSource = () => Promise<string>;

export interface ApiClientOptions {
  /** Where the API lives, e.g. `/api/v1` (same origin) or an absolute URL. */
  baseUrl: string;
  /** Teams SSO. Without it, requests rely on the same-origin session cookie. */
  getToken?: TokenSource;
  /** The user's language, sent as Accept-Language so server messages can follow it. */
  language?: string;
  fetch?: typeof fetch;
}

/** A file from `ApiClient.file`, with the name the server suggested. */
export interface DownloadedFile {
  blob: Blob;
  filename: string | undefined;
}

export type QueryValue = string | number | boolean | undefined;

export interface RequestOptions {
  query?: Record<string, QueryValue>;
  body?: unknown;
  signal?: AbortSignal;
  /** Lets the request outlive the page (the analytics beacon when the tab is hidden or closed). */
  keepalive?: boolean;
  /** Bytes sent as they are (an upload's fragment) instead of a JSON `body`, with their own headers. */
  raw?: { bytes: Blob; contentType: string; headers?: Record<string, string> };
  /** The browser's cache for this request; default `no-store`. An answer the server marks `private, max-age` (a thumbnail) may use `default`. */
  cache?: RequestCache;
}

export class ApiClient {
  private readonly fetchImpl: typeof fetch;

  constructor(private readonly options: ApiClientOptions) {
    // Bound: calling an unbound `window.fetch` throws "Illegal invocation".
    this.fetchImpl = options.fetch ?? globalThis.fetch.bind(globalThis);
  }

  /** True when requests are authenticated by Teams SSO rather than a cookie. */
  get usesTeamsSso(): boolean {
    return this.options.getToken !== undefined;
  }

  get<T>(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('GET', path, options);
  }

  post<T>(path: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('POST', path, { ...options, body });
  }

  patch<T>(path: string, body: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('PATCH', path, { ...options, body });
  }

  put<T>(path: string, body?: unknown, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('PUT', path, { ...options, body });
  }

  delete<T = void>(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<T> {
    return this.request<T>('DELETE', path, options);
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const response = await this.send(method, path, options, 'application/json, application/problem+json');
    if (response.status === 204 || response.headers.get('Content-Length') === '0') return undefined as T;
    try {
      return (await response.json()) as T;
    } catch {
      throw new ApiProblem({ status: response.status, code: 'invalid_response', requestId: response.headers.get('X-Request-Id') ?? undefined });
    }
  }

  /**
   * A file the API serves (an `.ics` invitation, a CSV export), fetched with the same
   * credential as every other call: inside Teams a plain link would carry no token.
   */
  async file(path: string, options: Omit<RequestOptions, 'body'> = {}): Promise<DownloadedFile> {
    const response = await this.send('GET', path, options, '*/*');
    const disposition = response.headers.get('Content-Disposition') ?? '';
    const filename = /filename\*=UTF-8''([^;]+)/i.exec(disposition)?.[1] ?? /filename="?([^";]+)"?/i.exec(disposition)?.[1];
    return { blob: await response.blob(), filename: filename ? decodeURIComponent(filename) : undefined };
  }

  private async send(method: string, path: string, options: RequestOptions, accept: string): Promise<Response> {
    const headers = new Headers({ Accept: accept });
    if (this.options.language) headers.set('Accept-Language', this.options.language);
    if (options.body !== undefined) headers.set('Content-Type', 'application/json');
    if (options.raw) {
      headers.set('Content-Type', options.raw.contentType);
      for (const [name, value] of Object.entries(options.raw.headers ?? {})) headers.set(name, value);
    }
    if (this.options.getToken) headers.set('Authorization', `Bearer ${await this.token()}`);

    let response: Response;
    try {
      response = await this.fetchImpl(this.url(path, options.query), {
        method,
        headers,
        body: options.raw ? options.raw.bytes : options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
        ...(options.keepalive ? { keepalive: true } : {}),
        // In Teams the bearer token is the only credential; a stray local cookie must not count.
        credentials: this.options.getToken ? 'omit' : 'same-origin',
        cache: options.cache ?? 'no-store',
      });
    } catch (err) {
      if (options.signal?.aborted) throw err;
      throw new ApiProblem({ status: 0, code: 'network_error', detail: err instanceof Error ? err.message : String(err) });
    }
    if (!response.ok) throw await problemFromResponse(response, this.options.language);
    return response;
  }

  private async token(): Promise<string> {
    try {
      return await this.options.getToken!();
    } catch (err) {
      if (err instanceof ApiProblem) throw err;
      throw new ApiProblem({ status: 0, code: 'sso_failed', detail: err instanceof Error ? err.message : String(err) });
    }
  }

  private url(path: string, query: Record<string, QueryValue> | undefined): string {
    const base = this.options.baseUrl.replace(/\/+$/, '');
    const params = new URLSearchParams();
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value !== undefined) params.set(key, String(value));
    }
    const search = params.toString();
    return `${base}${path.startsWith('/') ? path : `/${path}`}${search ? `?${search}` : ''}`;
  }
}
