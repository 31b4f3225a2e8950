/** Counts each route the user opens as a page view (page-view-beacon.ts), for the life of the app. */
import { useEffect, useRef } from 'react';
import { useApi } from '../api/api-provider.js';
import type { Route } from '../router/hash-router.js';
import { PageViewBeacon } from './page-view-beacon.js';

export function usePageViews(route: Route): void {
  const api = useApi();
  const beacon = useRef<PageViewBeacon | undefined>(undefined);
  useEffect(() => {
    const b = new PageViewBeacon(api);
    beacon.current = b;
    const stop = b.start();
    return () => {
      stop();
      beacon.current = undefined;
    };
  }, [api]);
  useEffect(() => {
    beacon.current?.record(route);
  }, [route]);
}
