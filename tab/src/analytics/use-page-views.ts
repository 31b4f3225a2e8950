/**
 * Counts each route the user opens as a page view (page-view-beacon.ts), for the life of the app,
 * once the person is signed in: a visitor who has not signed in is nobody the figures can count
 * (the server would refuse the beacon), and the sign-in prompt must ask the server for nothing else.
 */
import { useEffect, useRef } from 'react';
import { useApi } from '../api/api-provider.js';
import { useMe } from '../api/me-provider.js';
import type { Route } from '../router/hash-router.js';
import { PageViewBeacon } from './page-view-beacon.js';

export function usePageViews(route: Route): void {
  const api = useApi();
  const signedIn = useMe().status === 'success';
  const beacon = useRef<PageViewBeacon | undefined>(undefined);
  useEffect(() => {
    if (!signedIn) return;
    const b = new PageViewBeacon(api);
    beacon.current = b;
    const stop = b.start();
    return () => {
      stop();
      beacon.current = undefined;
    };
  }, [api, signedIn]);
  useEffect(() => {
    beacon.current?.record(route);
  }, [route, signedIn]);
}

/** The hook as a component, for the part of the tree that knows who is signed in. */
export function PageViews({ route }: { route: Route }): null {
  usePageViews(route);
  return null;
}
