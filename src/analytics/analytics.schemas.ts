/** The analytics API's input and answers, as zod schemas (the OpenAPI document is made from them). */
import { z } from 'zod';
import { objectIdString } from '../http/api-schemas.js';
import { FIGURE_KEYS, SERIES_METRICS } from './analytics.service.js';
import { PAGE_ROUTES } from './page-routes.js';

/** The most page views one beacon batch carries (the tab sends every 15 s or 20 views, whichever first). */
export const MAX_VIEWS_PER_BATCH = 50;
/** How old a view in a batch may be: the tab holds views at most this long (sent on hide at the latest). */
export const MAX_VIEW_AGE_MS = 15 * 60_000;

export const pageViewsSchema = z
  .object({
    views: z
      .array(
        z
          .object({
            route: z.enum(PAGE_ROUTES).meta({ description: 'The tab route\'s name (a fixed list)' }),
            id: objectIdString.optional().meta({ description: 'The id of the community, discussion or event the page shows' }),
            msAgo: z.number().int().min(0).max(MAX_VIEW_AGE_MS).optional().meta({ description: 'How long ago the page was shown, in ms' }),
          })
          .strict(),
      )
      .min(1)
      .max(MAX_VIEWS_PER_BATCH),
  })
  .strict();

const day = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])-(0[1-9]|[12]\d|3[01])$/, { error: 'must be a date, YYYY-MM-DD' });

export const summaryQuerySchema = z
  .object({
    from: day.optional().meta({ description: 'First day (Amsterdam), YYYY-MM-DD; default 27 days before `to`' }),
    to: day.optional().meta({ description: 'Last day, included; default today' }),
    communityId: objectIdString.optional().meta({ description: 'One community; without it, the organisation (admins) or the communities I manage' }),
  })
  .strict();

export const intervalSchema = z.enum(['day', 'week', 'month']);

export const timeseriesQuerySchema = summaryQuerySchema.extend({ metric: z.enum(SERIES_METRICS), interval: intervalSchema.default('day') }).strict();

export const exportQuerySchema = summaryQuerySchema.extend({ interval: intervalSchema.default('day'), lang: z.enum(['nl', 'en']).default('nl') }).strict();

const unit = z.enum(['people', 'count', 'ratio', 'percent', 'hours']);

export const summaryView = z.object({
  from: z.string(),
  to: z.string(),
  previous: z.object({ from: z.string(), to: z.string() }),
  scope: z.object({ communityId: z.string().nullable(), name: z.string().nullable(), communities: z.number().nullable() }),
  figures: z.array(
    z.object({
      key: z.enum(FIGURE_KEYS),
      unit,
      value: z.number().nullable(),
      available: z.boolean().meta({ description: 'false: not measured here ("—")' }),
      suppressed: z.boolean().meta({ description: 'true: fewer than 5 people ("< 5")' }),
      previous: z.number().nullable(),
      change: z.number().nullable().meta({ description: 'Percent change against the previous period' }),
    }),
  ),
  top: z.object({
    discussions: z.array(z.object({ id: z.string(), title: z.string(), views: z.number() })),
    events: z.array(z.object({ id: z.string(), title: z.string(), views: z.number() })),
  }),
});

export const seriesView = z.object({
  metric: z.enum(SERIES_METRICS),
  interval: intervalSchema,
  unit,
  from: z.string(),
  to: z.string(),
  points: z.array(z.object({ start: z.string(), value: z.number().nullable(), suppressed: z.boolean() })),
});

export const accessView = z.object({ allowed: z.boolean() });
