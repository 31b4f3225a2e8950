/**
 * The only place that reads the environment. Every setting is parsed by one zod schema;
 * a wrong or missing value stops start-up with a message naming each variable and what it
 * should be (see `ConfigError`).
 */
import { isIP } from 'node:net';
import { z } from 'zod';

const booleanString = z
  .enum(['true', 'false', '1', '0', 'yes', 'no'], { error: 'must be true or false' })
  .transform((v) => v === 'true' || v === '1' || v === 'yes');

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v.trim()));

const httpsOrLoopbackUrl = z.url({ error: 'must be an absolute URL' }).refine(
  (v) => {
    const u = new URL(v);
    return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname));
  },
  { error: 'must be an https:// URL (http:// only for localhost)' },
);

/** An e-mail address or a web address where people reach someone (the privacy pages link it). */
const contactPoint = optionalString.pipe(
  z
    .string()
    .max(320, { error: 'must be at most 320 characters' })
    .refine((v) => /^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(v) || /^https:\/\/[^\s<>"]+$/.test(v), { error: 'must be an e-mail address or an https:// web address' })
    .optional(),
);

const uuid = z.string().regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i, {
  error: 'must be a GUID such as 72f988bf-86f1-41af-91ab-2d7cd011db47',
});

const cidr = z.string().refine(isCidr, { error: 'must be IPv4 or IPv6 CIDR ranges, comma-separated' });

const commaList = (item: z.ZodType<string, string>) =>
  z
    .string()
    .optional()
    .transform((v) =>
      (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter((s) => s.length > 0),
    )
    .pipe(z.array(item));

/** `TRUST_PROXY`: a hop count, or CIDR ranges of proxies whose X-Forwarded-For we believe. */
const trustProxy = z
  .string()
  .optional()
  .transform((v, ctx): number | string[] => {
    const s = (v ?? '').trim();
    if (s === '' || s === 'false') return 0;
    if (/^\d+$/.test(s)) return Number(s);
    const ranges = s.split(',').map((x) => x.trim()).filter(Boolean);
    if (ranges.every(isCidr)) return ranges;
    ctx.addIssue({ code: 'custom', message: 'must be a hop count (0, 1, 2...) or comma-separated CIDR ranges' });
    return z.NEVER;
  });

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production'], { error: 'must be development, test or production' }).default('development'),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'], { error: 'must be fatal, error, warn, info, debug, trace or silent' }).default('info'),
    PORT: z.coerce.number({ error: 'must be a port number' }).int().min(0, { error: 'must be a port number 0-65535' }).max(65535, { error: 'must be a port number 0-65535' }).default(3978),
    HOST: z.string().trim().min(1).optional(),
    PUBLIC_URL: httpsOrLoopbackUrl.optional(),
    MONGODB_URI: optionalString.pipe(
      z.string().regex(/^mongodb(\+srv)?:\/\/.+/, { error: 'must be a mongodb:// or mongodb+srv:// connection string' }).optional(),
    ),
    FERRETDB_POSTGRES_URL: optionalString.pipe(z.string().regex(/^postgres(ql)?:\/\/.+/, { error: 'must be a postgres:// or postgresql:// connection string' }).optional()),
    MONGODB_POOL_SIZE: z.coerce.number({ error: 'must be a whole number' }).int().min(1, { error: 'must be 1 or more' }).max(500, { error: 'must be 500 or less' }).default(20),
    AUTH_MODE: z.enum(['local', 'entra'], { error: 'must be local or entra' }).default('local'),
    SESSION_SECRET: optionalString.pipe(z.string().min(32, { error: 'must be at least 32 characters' }).optional()),
    ENTRA_TENANT_ID: optionalString.pipe(uuid.optional()),
    ENTRA_CLIENT_ID: optionalString.pipe(uuid.optional()),
    ENTRA_CLIENT_SECRET: optionalString,
    ENTRA_CLIENT_CERTIFICATE_PATH: optionalString,
    ENTRA_APP_ID_URI: optionalString.pipe(z.string().startsWith('api://', { error: 'must start with api://' }).optional()),
    ENTRA_AUTHORITY_HOST: httpsOrLoopbackUrl.default('https://login.microsoftonline.com'),
    ENTRA_ALLOWED_TENANTS: commaList(uuid),
    /** Client apps besides the Microsoft 365 tab hosts whose tokens for Meent are accepted (e.g. Meent's own browser sign-in). */
    ENTRA_ALLOWED_CLIENT_APPS: commaList(uuid),
    /** The tenant the browser sign-in (outside Teams) asks Entra for: the home tenant (its people and B2B guests), `organizations`, or a tenant id. */
    ENTRA_BROWSER_TENANT: optionalString.pipe(z.union([z.literal('organizations'), uuid], { error: 'must be organizations or a tenant GUID (empty: the home tenant)' }).optional()),
    GRAPH_BASE_URL: httpsOrLoopbackUrl.default('https://graph.microsoft.com'),
    TEAMS_APP_ID: optionalString.pipe(uuid.optional()),
    BOT_ID: optionalString.pipe(uuid.optional()),
    BOT_PASSWORD: optionalString,
    BOT_TYPE: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI'], { error: 'must be MultiTenant, SingleTenant or UserAssignedMSI' }).default('MultiTenant'),
    BOT_TENANT_ID: optionalString.pipe(uuid.optional()),
    IP_ALLOWLIST: commaList(cidr),
    TRUST_PROXY: trustProxy,
    REQUIRE_MFA: z.enum(['none', 'admins', 'members', 'all'], { error: 'must be none, admins, members or all' }).default('none'),
    TEAMS_CONDITIONAL_ACCESS: booleanString.default(false),
    GUESTS_ALLOWED: booleanString.default(true),
    ADMIN_ROLE: z.string().trim().min(1, { error: 'must name an app role' }).default('Meent.Admin'),
    RATE_LIMIT_WINDOW_SECONDS: z.coerce.number({ error: 'must be a number of seconds' }).int().min(1, { error: 'must be 1-3600 seconds' }).max(3600, { error: 'must be 1-3600 seconds' }).default(60),
    RATE_LIMIT_USER_WRITES: z.coerce.number({ error: 'must be a number of requests' }).int().min(0, { error: 'must be 0 (off) or more' }).max(1_000_000).default(60),
    RATE_LIMIT_IP_WRITES: z.coerce.number({ error: 'must be a number of requests' }).int().min(0, { error: 'must be 0 (off) or more' }).max(10_000_000).default(1200),
    // Reads: a person paging, searching and opening cards makes a few a second at most; an office behind one address, many.
    RATE_LIMIT_USER_READS: z.coerce.number({ error: 'must be a number of requests' }).int().min(0, { error: 'must be 0 (off) or more' }).max(1_000_000).default(600),
    RATE_LIMIT_IP_READS: z.coerce.number({ error: 'must be a number of requests' }).int().min(0, { error: 'must be 0 (off) or more' }).max(10_000_000).default(6000),
    MAX_BODY_BYTES: z.coerce.number({ error: 'must be a number of bytes' }).int().min(1024).max(10 * 1024 * 1024).default(256 * 1024),
    SHUTDOWN_TIMEOUT_MS: z.coerce.number({ error: 'must be milliseconds' }).int().min(0).max(120_000).default(10_000),
    DATA_DIR: z.string().trim().min(1).default('.data'),
    NOTIFY_TENANT_RATE_PER_SECOND: z.coerce.number({ error: 'must be a number of requests per second' }).int().min(1, { error: 'must be 1 or more' }).max(1000).default(50),
    NOTIFY_CONVERSATION_RATE_PER_SECOND: z.coerce.number({ error: 'must be a number of messages per second' }).int().min(1, { error: 'must be 1-7' }).max(7, { error: 'must be 1-7 (the Teams limit per conversation)' }).default(7),
    NOTIFY_ACTIVITY_FEED_RATE_PER_SECOND: z.coerce.number({ error: 'must be a number of notifications per second' }).int().min(1, { error: 'must be 1 or more' }).max(100).default(5),
    CONSULTATION_MIN_GROUP_SIZE: z.coerce.number({ error: 'must be a whole number of respondents' }).int().min(2, { error: 'must be 2 or more' }).max(1000).default(5),
    NOTIFY_RETENTION_DAYS: z.coerce.number({ error: 'must be a whole number of days' }).int().min(0, { error: 'must be 0 (keep) or more' }).max(3650, { error: 'must be at most 3650' }).default(90),
    // The privacy statement and terms (/privacy, /terms) name who is responsible and whom to ask.
    ORGANISATION_NAME: optionalString.pipe(z.string().max(200, { error: 'must be at most 200 characters' }).refine((v) => !/[<>]/.test(v), { error: 'must not contain < or >' }).optional()),
    ORGANISATION_CONTACT: contactPoint,
    PRIVACY_OFFICER_CONTACT: contactPoint,
    NOTIFY_MAX_ATTEMPTS: z.coerce.number({ error: 'must be a whole number' }).int().min(1, { error: 'must be 1-20' }).max(20, { error: 'must be 1-20' }).default(5),
    // Operations (src/telemetry/): Application Insights, or any OTLP/HTTP collector; neither set: nothing is sent.
    APPLICATIONINSIGHTS_CONNECTION_STRING: optionalString.pipe(z.string().regex(/(^|;)\s*(InstrumentationKey|ConnectionString)=|IngestionEndpoint=/i, { error: 'must be an Application Insights connection string (InstrumentationKey=...;IngestionEndpoint=...)' }).optional()),
    OTEL_EXPORTER_OTLP_ENDPOINT: optionalString.pipe(httpsOrLoopbackUrl.optional()),
    OTEL_SERVICE_NAME: z.string().trim().min(1).max(100).default('meent'),
    OTEL_METRIC_EXPORT_INTERVAL: z.coerce.number({ error: 'must be milliseconds' }).int().min(1000, { error: 'must be at least 1000 ms' }).max(3_600_000).default(60_000),
    // Managed identity (App Service): the user-assigned identity's client id. Graph app-only tokens come from it
    // (ManagedIdentityCredential); the app registration's own secret is then needed only for on-behalf-of, unless the
    // registration trusts this identity as a federated credential (docs/operations.md).
    MANAGED_IDENTITY_CLIENT_ID: optionalString.pipe(uuid.optional()),
    // Installing the app for people who need a message (issue 14): the app's id in the organisation's catalogue
    // (teamsApp id, not the manifest id), whether Meent may install it at all, and the mailbox that e-mails those it cannot reach.
    TEAMS_CATALOG_APP_ID: optionalString.pipe(z.string().max(200).regex(/^[A-Za-z0-9-]+$/, { error: 'must be a Teams app catalogue id' }).optional()),
    NOTIFY_AUTO_INSTALL: booleanString.default(true),
    NOTIFY_MAILBOX: optionalString.pipe(z.email({ error: 'must be the e-mail address of a mailbox' }).max(320).optional()),
    // Attachments (issue 21): the largest upload, blocked file types, and the library for uploads to communities not pinned to a team.
    ATTACHMENTS_MAX_MB: z.coerce.number({ error: 'must be a number of megabytes' }).int().min(1, { error: 'must be 1 or more' }).max(250_000, { error: 'must be at most 250000 (OneDrive and SharePoint take files up to 250 GB)' }).default(250),
    ATTACHMENTS_BLOCKED_TYPES: commaList(z.string().regex(/^[a-z0-9]{1,10}$/i, { error: 'must be file extensions without dots, e.g. exe,bat' })).transform((v) => (v.length > 0 ? v.map((x) => x.toLowerCase()) : ['exe', 'bat', 'cmd', 'com', 'msi', 'scr', 'ps1', 'vbs', 'js', 'jar', 'dll'])),
    ATTACHMENTS_LIBRARY_DRIVE_ID: optionalString.pipe(z.string().max(200, { error: 'must be a drive id' }).optional()),
  })
  .superRefine((c, ctx) => {
    const issue = (path: string, message: string) => ctx.addIssue({ code: 'custom', path: [path], message });
    if (c.AUTH_MODE === 'local') {
      if (c.NODE_ENV === 'production') issue('AUTH_MODE', 'must be entra when NODE_ENV=production (local mode is for development only)');
      if (c.HOST !== undefined && !isLoopbackHost(c.HOST)) issue('HOST', 'must be a loopback address (127.0.0.1 or ::1) in local mode');
    }
    if (c.AUTH_MODE === 'entra') {
      if (!c.ENTRA_TENANT_ID) issue('ENTRA_TENANT_ID', 'is required when AUTH_MODE=entra: the home tenant GUID');
      if (!c.ENTRA_CLIENT_ID) issue('ENTRA_CLIENT_ID', 'is required when AUTH_MODE=entra: the app registration (client) id');
      if (!c.ENTRA_CLIENT_SECRET && !c.ENTRA_CLIENT_CERTIFICATE_PATH && !c.MANAGED_IDENTITY_CLIENT_ID) {
        issue('ENTRA_CLIENT_SECRET', 'or ENTRA_CLIENT_CERTIFICATE_PATH or MANAGED_IDENTITY_CLIENT_ID is required when AUTH_MODE=entra');
      }
      if (!c.ENTRA_APP_ID_URI) issue('ENTRA_APP_ID_URI', 'is required when AUTH_MODE=entra: api://<host>/<client id>');
      if (!c.MONGODB_URI && c.NODE_ENV === 'production') issue('MONGODB_URI', 'is required in production');
    }
    if (c.NODE_ENV === 'production') {
      if (!c.PUBLIC_URL || !c.PUBLIC_URL.startsWith('https://')) issue('PUBLIC_URL', 'must be the https:// origin Teams loads the tab from in production');
      if (c.AUTH_MODE === 'entra' && !c.BOT_ID) issue('BOT_ID', 'is required in production: the Azure Bot (Microsoft App) id');
      // A government must publish who is responsible for the data and how to reach its data-protection officer (AVG art. 13).
      if (!c.ORGANISATION_NAME) issue('ORGANISATION_NAME', 'is required in production: the organisation responsible for the data (privacy statement)');
      if (!c.ORGANISATION_CONTACT) issue('ORGANISATION_CONTACT', 'is required in production: an e-mail or https address for questions about the data');
      if (!c.PRIVACY_OFFICER_CONTACT) issue('PRIVACY_OFFICER_CONTACT', 'is required in production: how to reach the data-protection officer (FG)');
    }
    if (c.BOT_ID && c.BOT_TYPE !== 'UserAssignedMSI' && !c.BOT_PASSWORD) issue('BOT_PASSWORD', `is required when BOT_ID is set and BOT_TYPE=${c.BOT_TYPE}`);
    if (c.BOT_TYPE === 'SingleTenant' && c.BOT_ID && !c.BOT_TENANT_ID) issue('BOT_TENANT_ID', 'is required when BOT_TYPE=SingleTenant');
  })
  .transform((c) => {
    const host = c.HOST ?? (c.AUTH_MODE === 'local' ? '127.0.0.1' : '0.0.0.0');
    const publicUrl = (c.PUBLIC_URL ?? `http://${host.includes(':') ? `[${host}]` : host}:${c.PORT}`).replace(/\/+$/, '');
    return {
      nodeEnv: c.NODE_ENV,
      logLevel: c.LOG_LEVEL,
      port: c.PORT,
      host,
      publicUrl,
      mongodbUri: c.MONGODB_URI,
      mongodbPoolSize: c.MONGODB_POOL_SIZE,
      ferretDbPostgresUrl: c.FERRETDB_POSTGRES_URL,
      authMode: c.AUTH_MODE,
      localMode: c.AUTH_MODE === 'local',
      sessionSecret: c.SESSION_SECRET,
      entra: {
        tenantId: c.ENTRA_TENANT_ID,
        clientId: c.ENTRA_CLIENT_ID,
        clientSecret: c.ENTRA_CLIENT_SECRET,
        clientCertificatePath: c.ENTRA_CLIENT_CERTIFICATE_PATH,
        appIdUri: c.ENTRA_APP_ID_URI,
        authorityHost: c.ENTRA_AUTHORITY_HOST.replace(/\/+$/, ''),
        allowedTenants: c.ENTRA_ALLOWED_TENANTS,
        allowedClientApps: c.ENTRA_ALLOWED_CLIENT_APPS,
        /** The user-assigned managed identity's client id (App Service); Graph app-only tokens then come from it. */
        managedIdentityClientId: c.MANAGED_IDENTITY_CLIENT_ID,
        /** Outside Teams the tab signs in at `<authorityHost>/<browserTenant>` (default the home tenant, so B2B guests get a token of this tenant). */
        browserTenant: c.ENTRA_BROWSER_TENANT ?? c.ENTRA_TENANT_ID,
      },
      graphBaseUrl: c.GRAPH_BASE_URL.replace(/\/+$/, ''),
      bot: { id: c.BOT_ID, password: c.BOT_PASSWORD, type: c.BOT_TYPE, tenantId: c.BOT_TENANT_ID },
      /** The Teams app id (manifest `id`): deep links into the tab from bot cards; absent, cards link to the web address. */
      teamsAppId: c.TEAMS_APP_ID,
      ipAllowlist: c.IP_ALLOWLIST,
      trustProxy: c.TRUST_PROXY,
      requireMfa: c.REQUIRE_MFA,
      /**
       * The organisation's Conditional Access applies to Microsoft Teams what REQUIRE_MFA and
       * IP_ALLOWLIST ask of the tab, so the bot may act for people those settings cover (it cannot check them itself).
       */
      teamsConditionalAccess: c.TEAMS_CONDITIONAL_ACCESS,
      guestsAllowed: c.GUESTS_ALLOWED,
      adminRole: c.ADMIN_ROLE,
      rateLimits: {
        windowMs: c.RATE_LIMIT_WINDOW_SECONDS * 1000,
        userWrites: c.RATE_LIMIT_USER_WRITES,
        ipWrites: c.RATE_LIMIT_IP_WRITES,
        userReads: c.RATE_LIMIT_USER_READS,
        ipReads: c.RATE_LIMIT_IP_READS,
      },
      maxBodyBytes: c.MAX_BODY_BYTES,
      shutdownTimeoutMs: c.SHUTDOWN_TIMEOUT_MS,
      dataDir: c.DATA_DIR,
      /** Results broken down by a group (members, guests) only where it has at least this many respondents. */
      consultations: { minGroupSize: c.CONSULTATION_MIN_GROUP_SIZE },
      notifications: {
        tenantPerSecond: c.NOTIFY_TENANT_RATE_PER_SECOND,
        conversationPerSecond: c.NOTIFY_CONVERSATION_RATE_PER_SECOND,
        activityFeedPerSecond: c.NOTIFY_ACTIVITY_FEED_RATE_PER_SECOND,
        maxAttempts: c.NOTIFY_MAX_ATTEMPTS,
        retentionDays: c.NOTIFY_RETENTION_DAYS,
        /** The app's id in the tenant's app catalogue; without it Meent installs nothing. */
        catalogAppId: c.TEAMS_CATALOG_APP_ID,
        /** Whether Meent may install the app for people it must reach (each tenant's admins can still turn it off). */
        autoInstall: c.NOTIFY_AUTO_INSTALL,
        /** The mailbox that e-mails people the app cannot be installed for; unset: they get no message. */
        mailbox: c.NOTIFY_MAILBOX,
      },
      attachments: {
        maxBytes: c.ATTACHMENTS_MAX_MB * 1024 * 1024,
        blockedTypes: c.ATTACHMENTS_BLOCKED_TYPES,
        libraryDriveId: c.ATTACHMENTS_LIBRARY_DRIVE_ID,
      },
      /** Who is responsible for the data, named on /privacy and /terms; unset outside production. */
      organisation: {
        name: c.ORGANISATION_NAME,
        contact: c.ORGANISATION_CONTACT,
        privacyOfficer: c.PRIVACY_OFFICER_CONTACT,
      },
      /** Traces and metrics (src/telemetry/): to Application Insights, or an OTLP collector; neither: off. */
      telemetry: {
        applicationInsightsConnectionString: c.APPLICATIONINSIGHTS_CONNECTION_STRING,
        otlpEndpoint: c.OTEL_EXPORTER_OTLP_ENDPOINT,
        serviceName: c.OTEL_SERVICE_NAME,
        metricExportIntervalMs: c.OTEL_METRIC_EXPORT_INTERVAL,
      },
    };
  });

export type Config = z.output<typeof schema>;

/** Thrown when the environment is wrong; `problems` holds one line per variable. */
export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Meent cannot start: the configuration is invalid.\n${problems.map((p) => `  - ${p}`).join('\n')}\nSee env/.env.example for every variable and its meaning.`);
    this.name = 'ConfigError';
  }
}

/** Parse an environment (default `process.env`) into a `Config`, or throw `ConfigError`. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  const problems = result.error.issues.map((i) => {
    const name = i.path.length > 0 ? String(i.path[0]) : 'environment';
    const value = env[name];
    const shown = value === undefined || value === '' ? 'is missing or empty' : isSecretName(name) ? 'is set' : `is "${value}"`;
    return i.code === 'custom' ? `${name} ${i.message}` : `${name} ${shown}; it ${i.message}`;
  });
  throw new ConfigError([...new Set(problems)]);
}

function isSecretName(name: string): boolean {
  // Connection strings carry passwords.
  return /SECRET|PASSWORD|URI$|POSTGRES_URL$|CONNECTION_STRING$/.test(name);
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

function isCidr(value: string): boolean {
  const [addr, bits, extra] = value.split('/');
  if (addr === undefined || bits === undefined || extra !== undefined || !/^\d{1,3}$/.test(bits)) return false;
  const family = isIP(addr);
  const n = Number(bits);
  return (family === 4 && n <= 32) || (family === 6 && n <= 128);
}
