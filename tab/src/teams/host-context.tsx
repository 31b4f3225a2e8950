/** The host connection (Teams or browser), available to every component through `useHost`. */
import { createContext, useContext, type ReactNode } from 'react';
import type { HostConnection } from './host-connection.js';

const HostContext = createContext<HostConnection | undefined>(undefined);

export function HostProvider({ value, children }: { value: HostConnection; children: ReactNode }) {
  return <HostContext.Provider value={value}>{children}</HostContext.Provider>;
}

export function useHost(): HostConnection {
  const host = useContext(HostContext);
  if (!host) throw new Error('useHost must be used inside <HostProvider>');
  return host;
}
