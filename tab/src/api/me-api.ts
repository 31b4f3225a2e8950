/** `GET /api/v1/me`: who the signed-in user is. */
import type { ApiClient } from './api-client.js';
import { ApiProblem } from './api-problem.js';

export interface Me {
  id: string;
  name: string;
  tenantId: string;
  isGuest: boolean;
  isOrgAdmin: boolean;
  roles: string[];
}

function readMe(body: unknown): Me {
  const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
  const id = typeof b.id === 'string' ? b.id : typeof b.userId === 'string' ? b.userId : undefined;
  if (!id || typeof b.name !== 'string') throw new ApiProblem({ status: 200, code: 'invalid_response', detail: 'GET /me answered without id and name' });
  return {
    id,
    name: b.name,
    tenantId: typeof b.tenantId === 'string' ? b.tenantId : '',
    isGuest: b.isGuest === true,
    isOrgAdmin: b.isOrgAdmin === true,
    roles: Array.isArray(b.roles) ? b.roles.filter((r): r is string => typeof r === 'string') : [],
  };
}

export async function getMe(api: ApiClient, signal?: AbortSignal): Promise<Me> {
  return readMe(await api.get<unknown>('/me', { signal }));
}
