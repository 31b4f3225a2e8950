/** Gives components the API client that fits the host: Teams SSO, the browser's Entra sign-in, or the local session cookie. */
import { createContext, useContext, useMemo, type ReactNode } from 'react';
import { useEntraSession } from '../auth/session-context.js';
import { useI18n } from '../i18n/i18n-provider.js';
import { useHost } from '../teams/host-context.js';
import { getTeamsSsoToken } from '../teams/sso.js';
import { ApiClient } from './api-client.js';

const ApiContext = createContext<ApiClient | undefined>(undefined);

export const API_BASE_PATH = '/api/v1';

export function ApiProvider({ children }: { children: ReactNode }) {
  const { inTeams } = useHost();
  const { language } = useI18n();
  const entra = useEntraSession();
  const getToken = inTeams ? getTeamsSsoToken : entra?.getToken;
  const client = useMemo(() => new ApiClient({ baseUrl: API_BASE_PATH, getToken, language }), [getToken, language]);
  return <ApiContext.Provider value={client}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiClient {
  const client = useContext(ApiContext);
  if (!client) throw new Error('useApi must be used inside <ApiProvider>');
  return client;
}
