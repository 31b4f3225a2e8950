/**
 * OpenID metadata and signing keys of the tenants whose tokens we accept, fetched from the
 * authority host (`ENTRA_AUTHORITY_HOST`) and cached. An unknown `kid` makes us fetch the key
 * set again (at most once per cool-down), so a key rotation at Entra is followed without a
 * restart, while a stream of forged kids cannot make us hammer the authority.
 * https://learn.microsoft.com/en-us/entra/identity-platform/signing-key-rollover
 */
import { createLocalJWKSet, errors, type JSONWebKeySet, type JWTVerifyGetKey } from 'jose';
import { UnavailableError } from '../errors/domain-errors.js';

export interface OpenIdMetadata {
  issuer: string;
  jwksUri: string;
}

export interface OpenIdKeysOptions {
  /** e.g. `https://login.microsoftonline.com` (no trailing slash). */
  authorityHost: string;
  /** Key sets older than this are fetched again before use. Default 24 hours, as Entra recommends. */
  maxAgeMs?: number;
  /** Minimum time between two fetches of one key set caused by unknown kids. Default 30 s. */
  cooldownMs?: number;
  /** Per-request timeout. Default 5 s. */
  timeoutMs?: number;
  now?: () => number;
  fetch?: typeof fetch;
}

interface CachedKeys {
  getKey: JWTVerifyGetKey;
  kids: Set<string>;
  fetchedAt: number;
}

export class IdentityProviderUnavailableError extends UnavailableError {
  constructor() {
    super('Meent cannot reach Microsoft Entra ID to check your sign-in; try again shortly.', 'identity_provider_unavailable');
  }
}

export class OpenIdKeys {
  private readonly metadata = new Map<string, { value: Promise<OpenIdMetadata>; fetchedAt: number }>();
  private readonly keys = new Map<string, CachedKeys>();
  private readonly inflightKeys = new Map<string, Promise<CachedKeys>>();
  private readonly maxAgeMs: number;
  private readonly cooldownMs: number;
  private readonly timeoutMs: number;
  private readonly now: () => number;
  private readonly fetchFn: typeof fetch;

  constructor(private readonly options: OpenIdKeysOptions) {
    this.maxAgeMs = options.maxAgeMs ?? 24 * 60 * 60 * 1000;
    this.cooldownMs = options.cooldownMs ?? 30_000;
    this.timeoutMs = options.timeoutMs ?? 5_000;
    this.now = options.now ?? Date.now;
    this.fetchFn = options.fetch ?? fetch;
  }

  /**
   * The metadata of a tenant's v2.0 or v1.0 endpoint. `tenantId` must already be checked
   * against the allow-list: this fetches `<authority>/<tenantId>/...`.
   */
  async metadataFor(tenantId: string, version: 1 | 2): Promise<OpenIdMetadata> {
    const url = `${this.options.authorityHost}/${encodeURIComponent(tenantId)}${version === 2 ? '/v2.0' : ''}/.well-known/openid-configuration`;
    const cached = this.metadata.get(url);
    if (cached && this.now() - cached.fetchedAt < this.maxAgeMs) return cached.value;
    const value = this.fetchMetadata(url);
    this.metadata.set(url, { value, fetchedAt: this.now() });
    // A failed fetch is not cached: the next request tries again.
    value.catch(() => {
      if (this.metadata.get(url)?.value === value) this.metadata.delete(url);
    });
    return value;
  }

  /**
   * A key resolver for jose: finds the key by `kid` (and `alg`); ignores `jku`, `x5u` and
   * embedded keys, so a token can never bring its own key.
   */
  keyResolver(jwksUri: string): JWTVerifyGetKey {
    return async (header, token) => {
      let cached = await this.keySet(jwksUri, false);
      if (header.kid !== undefined && !cached.kids.has(header.kid) && this.now() - cached.fetchedAt >= this.cooldownMs) {
        cached = await this.keySet(jwksUri, true);
      }
      return cached.getKey(header, token);
    };
  }

  private async keySet(jwksUri: string, force: boolean): Promise<CachedKeys> {
    const cached = this.keys.get(jwksUri);
    if (cached && !force && this.now() - cached.fetchedAt < this.maxAgeMs) return cached;
    const inflight = this.inflightKeys.get(jwksUri);
    if (inflight) return inflight;
    const loading = (async () => {
      try {
        const jwks = (await this.getJson(jwksUri)) as JSONWebKeySet;
        if (!Array.isArray(jwks.keys)) throw new errors.JWKSInvalid('JSON Web Key Set malformed');
        const entry: CachedKeys = {
          getKey: createLocalJWKSet(jwks),
          kids: new Set(jwks.keys.map((k) => k.kid).filter((k): k is string => typeof k === 'string')),
          fetchedAt: this.now(),
        };
        this.keys.set(jwksUri, entry);
        return entry;
      } finally {
        this.inflightKeys.delete(jwksUri);
      }
    })();
    this.inflightKeys.set(jwksUri, loading);
    return loading;
  }

  private async fetchMetadata(url: string): Promise<OpenIdMetadata> {
    const body = (await this.getJson(url)) as { issuer?: unknown; jwks_uri?: unknown };
    if (typeof body.issuer !== 'string' || typeof body.jwks_uri !== 'string') throw new IdentityProviderUnavailableError();
    const jwksUri = new URL(body.jwks_uri);
    if (jwksUri.protocol !== 'https:') throw new IdentityProviderUnavailableError();
    return { issuer: body.issuer, jwksUri: jwksUri.href };
  }

  private async getJson(url: string): Promise<unknown> {
    let response: Response;
    try {
      response = await this.fetchFn(url, { headers: { accept: 'application/json' }, signal: AbortSignal.timeout(this.timeoutMs), redirect: 'error' });
    } catch (error) {
      throw Object.assign(new IdentityProviderUnavailableError(), { cause: error });
    }
    if (!response.ok) {
      await response.arrayBuffer().catch(() => undefined);
      throw Object.assign(new IdentityProviderUnavailableError(), { cause: new Error(`${url} answered ${response.status}`) });
    }
    try {
      return (await response.json()) as unknown;
    } catch (error) {
      throw Object.assign(new IdentityProviderUnavailableError(), { cause: error });
    }
  }
}
