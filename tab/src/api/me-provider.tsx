/** Loads `GET /me` once for the shell and every page that greets or describes the user. */
import { createContext, useContext, type ReactNode } from 'react';
import { useApi } from './api-provider.js';
import { getMe, type Me } from './me-api.js';
import { useRequest, type RequestResult } from './use-request.js';

const MeContext = createContext<RequestResult<Me> | undefined>(undefined);

export function MeProvider({ children }: { children: ReactNode }) {
  const api = useApi();
  const me = useRequest((signal) => getMe(api, signal), [api]);
  return <MeContext.Provider value={me}>{children}</MeContext.Provider>;
}

export function useMe(): RequestResult<Me> {
  const me = useContext(MeContext);
  if (!me) throw new Error('useMe must be used inside <MeProvider>');
  return me;
}
