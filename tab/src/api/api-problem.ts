/**
 * The typed error every API call rejects with: an `application/problem+json` answer
 * (RFC 9457) from the server, or a failure before one arrived (network, Teams SSO). Forms
 * read `fieldError()` to show messages next to the field they concern.
 */
import { fieldText } from '../i18n/problem-texts.js';

/** One invalid field, as the server reports it (`path` like `body.name`); `message` is in the reader's language when the tab knows `code`. */
export interface ProblemFieldError {
  path: string;
  message: string;
  /** Stable field code, e.g. `too_big`, `required`. */
  code?: string;
  /** For `too_big` and `too_small`: the bound, and what it counts (characters, items; none for a number). */
  limit?: number;
  unit?: 'characters' | 'items';
}

export interface ProblemFields {
  /** HTTP status; 0 when no answer was received. */
  status: number;
  /** Stable machine-readable code, e.g. `invalid_input`, `consent_required`, `network_error`. */
  code: string;
  title?: string;
  detail?: string;
  errors?: ProblemFieldError[];
  requestId?: string;
  /** From `Retry-After` on a 429 or 503. */
  retryAfterSeconds?: number;
}

/**
 * Codes meaning the user must consent or sign in interactively (e.g. with multi-factor
 * authentication, `step_up_required`) before the call can succeed (src/auth/auth-errors.ts).
 */
const INTERACTION_CODES = new Set(['consent_required', 'interaction_required', 'step_up_required', 'mfa_required']);

export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;
  readonly title: string | undefined;
  readonly detail: string | undefined;
  readonly errors: readonly ProblemFieldError[];
  readonly requestId: string | undefined;
  readonly retryAfterSeconds: number | undefined;

  constructor(fields: ProblemFields) {
    super(fields.detail ?? fields.title ?? fields.code);
    this.name = 'ApiProblem';
    this.status = fields.status;
    this.code = fields.code;
    this.title = fields.title;
    this.detail = fields.detail;
    this.errors = fields.errors ?? [];
    this.requestId = fields.requestId;
    this.retryAfterSeconds = fields.retryAfterSeconds;
  }

  /** True when the user has to consent (or sign in with MFA) in a pop-up before retrying. */
  get needsInteraction(): boolean {
    return INTERACTION_CODES.has(this.code);
  }

  /**
   * The message for one field, matched on the last part of its path, so `name` finds
   * `body.name`; nested fields are named with dots (`location.address`).
   */
  fieldError(field: string): string | undefined {
    const match = this.errors.find((e) => e.path === field || e.path.endsWith(`.${field}`));
    return match?.message;
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function fieldErrors(value: unknown, language: string | undefined): ProblemFieldError[] {
  if (!Array.isArray(value)) return [];
  return value.flatMap((item): ProblemFieldError[] => {
    if (!isRecord(item) || typeof item.path !== 'string' || typeof item.message !== 'string') return [];
    const code = typeof item.code === 'string' ? item.code : undefined;
    const limit = typeof item.limit === 'number' && Number.isFinite(item.limit) ? item.limit : undefined;
    const unit = item.unit === 'characters' || item.unit === 'items' ? item.unit : undefined;
    // The server's own message is English; the code's text is the reader's language.
    return [{ path: item.path, message: fieldText(code, language, limit === undefined ? undefined : { limit, unit }) ?? item.message, ...(code !== undefined ? { code } : {}), ...(limit !== undefined ? { limit } : {}), ...(unit !== undefined ? { unit } : {}) }];
  });
}

function retryAfter(response: Response): number | undefined {
  const header = response.headers.get('Retry-After');
  if (!header) return undefined;
  if (/^\d+$/.test(header.trim())) return Number(header.trim());
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - Date.now()) / 1000));
}

/** Reads a failed response into an `ApiProblem`, whatever its body (problem+json, JSON or none); field messages in `language`. */
export async function problemFromResponse(response: Response, language?: string): Promise<ApiProblem> {
  let body: unknown;
  const type = response.headers.get('Content-Type') ?? '';
  if (/json/i.test(type)) {
    body = await response.json().catch(() => undefined);
  }
  const problem = isRecord(body) ? body : {};
  const text = (key: string) => (typeof problem[key] === 'string' ? (problem[key] as string) : undefined);
  return new ApiProblem({
    status: response.status,
    code: text('code') ?? `http_${response.status}`,
    title: text('title'),
    detail: text('detail'),
    errors: fieldErrors(problem.errors, language),
    requestId: text('requestId') ?? response.headers.get('X-Request-Id') ?? undefined,
    retryAfterSeconds: retryAfter(response),
  });
}
