// src/config/schema.ts — the zod schema of vouch.yaml: target, scope, identities, budget, checks and policy.
import { z } from 'zod';
import { hasUrlCredentials, URL_CREDENTIALS_ADVICE } from './credentials.js';

const identityBase = {
  /** anonymous | user | privileged: decides a finding's exposure. Default `user`. */
  role: z.enum(['anonymous', 'user', 'privileged']).default('user'),
  /** Declared scope of the credential, e.g. `["GET /api/orders/*"]` (permission audit). */
  intended: z.array(z.string()).optional(),
};

/** Where the credential is in the login's answer: a JSON path, a response header, or a session cookie (the jar). */
const tokenSourceSchema = z.union([
  z.strictObject({ path: z.string().min(1) }),
  z.strictObject({ header: z.string().min(1) }),
  z.strictObject({ cookie: z.string().min(1) }),
]);

/** What a login recipe may add to its request: the token's source, how it is sent back, how long it lives. */
const recipeFields = {
  token: tokenSourceSchema.optional(),
  /** Header the token is sent in (default Authorization) and its scheme (default Bearer; `none`: the token raw). */
  send: z.strictObject({ header: z.string().min(1).default('Authorization'), scheme: z.string().min(1).default('Bearer') }).optional(),
  /** Seconds a login holds when the token does not say (a JWT's `exp` is read); it is renewed before it ends. */
  lifetime: z.number().positive().optional(),
  /** At most one re-login after a 401 per this many seconds. Default 5. */
  minInterval: z.number().positive().optional(),
};

/** A step before the login: GET (or POST) a page and extract values into `${variables}` for the later steps. */
const loginStepSchema = z
  .strictObject({
    get: z.string().min(1).optional(),
    post: z.string().min(1).optional(),
    form: z.record(z.string(), z.string()).optional(),
    json: z.record(z.string(), z.unknown()).optional(),
    extract: z
      .record(
        z.string().regex(/^[a-z_][a-z0-9_]*$/i, 'variable names are letters, digits and _'),
        z.union([
          z.strictObject({ field: z.string().min(1) }),
          z.strictObject({ regex: z.string().min(1) }),
          z.strictObject({ path: z.string().min(1) }),
          z.strictObject({ header: z.string().min(1) }),
        ]),
      )
      .default({}),
  })
  .refine((s) => (s.get === undefined) !== (s.post === undefined), { message: 'a login step has one of get, post' })
  .refine((s) => s.get === undefined || (s.form === undefined && s.json === undefined), { message: 'a get step has no form or json body' });

export const loginSchema = z
  .strictObject({
    /** Requests before the login itself (fetch the form and its CSRF token); their cookies stay in the session. */
    steps: z.array(loginStepSchema).max(5).optional(),
    json: z
      .strictObject({
        url: z.string().min(1),
        body: z.record(z.string(), z.unknown()),
        /** Same as `token: { path }` (kept for older files). */
        tokenPath: z.string().min(1).optional(),
        ...recipeFields,
      })
      .refine((j) => (j.tokenPath === undefined) !== (j.token === undefined), { message: 'give one of tokenPath, token' })
      .optional(),
    form: z
      .strictObject({
        url: z.string().min(1),
        fields: z.record(z.string(), z.string()),
        /** Same as success.status (kept for older files). */
        successStatus: z.number().int().optional(),
        /** What a successful login looks like; every condition given must hold. Default: a status below 400. */
        success: z
          .strictObject({
            status: z.number().int().optional(),
            /** A cookie of this name is set. */
            cookie: z.string().min(1).optional(),
            /** The response redirects to a Location containing this text. */
            location: z.string().min(1).optional(),
          })
          .optional(),
        ...recipeFields,
      })
      .optional(),
  })
  .refine((l) => (l.json === undefined) !== (l.form === undefined), { message: 'a login has one of json, form' });

export const identitySchema = z
  .strictObject({
    ...identityBase,
    bearer: z.string().min(1).optional(),
    header: z.strictObject({ name: z.string().min(1), value: z.string() }).optional(),
    cookie: z.strictObject({ name: z.string().min(1), value: z.string() }).optional(),
    login: loginSchema.optional(),
  })
  .refine((i) => [i.bearer, i.header, i.cookie, i.login].filter((x) => x !== undefined).length <= 1, {
    message: 'give at most one of bearer, header, cookie, login',
  });

/** Named identities (`identities:` as a map; `auto` and `off` are the other values it takes). */
const identitiesSchema = z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'identity names are letters, digits, - and _'), identitySchema);

export const policyRuleSchema = z.strictObject({
  /** Rule id shown in the verdict. */
  id: z.string().min(1),
  /** fail or warn. */
  level: z.enum(['fail', 'warn']).default('fail'),
  when: z.strictObject({
    status: z.array(z.enum(['new', 'persisting', 'fixed'])).optional(),
    confidence: z.array(z.enum(['confirmed', 'tentative'])).optional(),
    severity: z.array(z.enum(['critical', 'high', 'medium', 'low', 'info'])).optional(),
    family: z.array(z.enum(['security', 'conformance', 'reliability', 'authorization'])).optional(),
    checks: z.array(z.string()).optional(),
    /** `surface.authLost`: an operation answered with auth before and answers anonymously now. */
    surface: z.enum(['authLost', 'removed']).optional(),
    /** Gate behaviour comparison: `latencyRegression` (a significant, large p50 slow-down) or `statusChanged`. */
    behaviour: z.enum(['latencyRegression', 'statusChanged']).optional(),
    /**
     * `permissions.gainedBeyondIntended`: an identity can do, in the candidate, an operation it could not do in the
     * baseline and its `intended` scope does not cover; `gained`: any operation it could not do before.
     */
    permissions: z.enum(['gainedBeyondIntended', 'gained']).optional(),
  }),
});

export const acceptedRiskSchema = z.strictObject({
  /** The finding's fingerprint (report.json, SARIF partialFingerprints, or the HTML report). */
  fingerprint: z.string().min(6),
  reason: z.string().min(3, 'say why the risk is accepted'),
  /** YYYY-MM-DD; after it the finding counts again. */
  expires: z.iso.date('expires must be a date like 2027-01-31'),
});

/** Attack strength: how many payloads active checks send per injection point. */
export const strengthSchema = z.enum(['low', 'default', 'high']);

export const checkEntrySchema = z.strictObject({ enabled: z.boolean().default(true), options: z.record(z.string(), z.unknown()).optional() });

export type CheckEntryConfig = z.infer<typeof checkEntrySchema>;

/** `METHOD /path` globs, the syntax of `intended` (docs/audit.md): `*`/`{name}` one segment, `**` the rest. */
const operationPatterns = z.array(z.string().regex(/^\s*(\*|[A-Za-z]+)\s+\/\S*\s*$/, 'write operations as "METHOD /path" (e.g. "GET /api/orders/*")')).default([]);

/** One agent behind `vouch guard` (docs/guard.md). */
export const guardAgentSchema = z.strictObject({
  /** The guard token the agent presents (`Authorization: Bearer …` or `X-Vouch-Guard-Token`); at least 16 characters. */
  token: z.string().min(16, 'a guard token has at least 16 characters'),
  /** When the token stops being accepted (ISO date-time). Default never. */
  expires: z.iso.datetime({ offset: true }).optional(),
  /** The identity (of `identities:`) whose real credential the guard sends upstream; the agent never holds it. */
  identity: z.string().min(1).optional(),
  /** Operations it may do; everything else is denied (unless `--learn`). */
  intended: operationPatterns,
  /** Operations always denied, before anything else. */
  denied: operationPatterns,
  /** Operations held until a person approves them (or the hold times out: denied). */
  approval: operationPatterns,
  budgets: z
    .strictObject({ requestsPerMinute: z.number().int().positive().optional(), writesPerHour: z.number().int().positive().optional() })
    .optional(),
});

/** `vouch guard`: the supervising reverse proxy between agents and the target (docs/guard.md). */
export const guardSchema = z.strictObject({
  /** host:port to listen on. Default 127.0.0.1:8787; a non-loopback host needs `allowRemote: true`. */
  listen: z.string().regex(/^(\[[0-9a-f:.]+\]|[^:\s]+):\d{1,5}$/i, 'write listen as host:port, e.g. 127.0.0.1:8787').default('127.0.0.1:8787'),
  allowRemote: z.boolean().default(false),
  /** The origin requests are forwarded to; it must be in the target's scope. Default target.url. */
  upstream: z.url().refine((u) => !hasUrlCredentials(u), `has credentials in it: ${URL_CREDENTIALS_ADVICE}`).optional(),
  limits: z
    .strictObject({
      /** Largest request body, bytes. Default 1 MiB. */
      bodyBytes: z.number().int().positive().default(1_048_576),
      /** Time to receive a whole request body, ms. Default 10,000. */
      bodyTimeoutMs: z.number().int().positive().default(10_000),
      /** Time for the upstream to answer, ms. Default 30,000. */
      upstreamTimeoutMs: z.number().int().positive().default(30_000),
    })
    .prefault({}),
  approval: z
    .strictObject({
      /** The token a person (or the dashboard) presents to the approval API; at least 16 characters. */
      token: z.string().min(16, 'an approval token has at least 16 characters').optional(),
      /** How long a held request waits, ms, before it is denied. Default 120,000. */
      timeoutMs: z.number().int().positive().default(120_000),
      /** Told (POST JSON) of each held request. */
      webhook: z.url().optional(),
    })
    .prefault({}),
  agents: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'agent names are letters, digits, - and _'), guardAgentSchema).default({}),
  /** Told (POST JSON, retried) the first time per session an agent is denied an operation or, learning, goes beyond intent. */
  webhooks: z.array(z.strictObject({ url: z.url() })).default([]),
});

export const configSchema = z.strictObject({
  target: z
    .strictObject({
      url: z.url().refine((u) => !hasUrlCredentials(u), `has credentials in it: ${URL_CREDENTIALS_ADVICE}`).optional(),
      name: z.string().optional(),
      environment: z.enum(['production', 'staging', 'preview', 'local']).default('staging'),
      spec: z.string().optional(),
      /** TLS: verify the certificate (default), trusting Node's roots plus `ca` (a PEM file, relative to the working directory). */
      tls: z.strictObject({ verify: z.boolean().default(true), ca: z.string().min(1).optional() }).optional(),
      /** Where the deployment shows its version: a response header, a JSON document's field, or an HTML <meta name>. */
      version: z
        .union([
          z.strictObject({ header: z.string().min(1) }),
          z.strictObject({ json: z.strictObject({ url: z.string().min(1), path: z.string().min(1) }) }),
          z.strictObject({ meta: z.string().min(1) }),
        ])
        .optional(),
    })
    .default({ environment: 'staging' }),
  scope: z
    .strictObject({
      origins: z.array(z.string()).default([]),
      include: z.array(z.string()).default([]),
      exclude: z.array(z.string()).default([]),
      /**
       * Dangerous operations (reset, drop, setup, purge, …: docs/config.md#do-no-harm) that may be sent after all:
       * `/setup.php`, `POST /api/reset*` (`*` any run of characters; with a method, that method only). Default none.
       */
      allowDangerous: z.array(z.string().min(1)).default([]),
    })
    .default({ origins: [], include: [], exclude: [], allowDangerous: [] }),
  /**
   * Named identities; or `auto` (the default for a target that is not production when none are named): two throwaway
   * users registered through the target's sign-up operation; or `off`: anonymous only.
   */
  identities: z
    .unknown()
    .optional()
    .transform((v, ctx): 'auto' | 'off' | Record<string, z.infer<typeof identitySchema>> => {
      if (v === 'auto' || v === 'off') return v;
      // A union would word every mistake as "Invalid input" at `identities`: the record's own issues name the key.
      const r = identitiesSchema.safeParse(v ?? {});
      if (r.success) return r.data;
      for (const issue of r.error.issues) ctx.addIssue({ code: 'custom', message: issue.message, path: issue.path });
      return z.NEVER;
    }),
  /**
   * `auto`: besides the named identities, register two throwaway accounts (`auto-1`, `auto-2`) through the target's
   * sign-up, the only accounts cross-user writes and changes of one's own account are sent to. `off` (the default when
   * identities are named): none. `identities: auto` registers them already.
   */
  accounts: z.enum(['auto', 'off']).optional(),
  safeMode: z
    .strictObject({
      /** Methods allowed in safe mode besides GET/HEAD/OPTIONS. */
      allowMethods: z.array(z.string()).default([]),
      /** Send write probes (writes built to be rejected, for the permission audit) in safe mode. Default false. */
      writeProbes: z.boolean().default(false),
    })
    .optional(),
  budget: z
    .strictObject({
      requests: z.number().int().positive().default(20_000),
      perCheck: z.number().int().positive().optional(),
      ratePerSecond: z.number().positive().optional(),
      concurrency: z.number().int().min(1).max(256).default(8),
      timeoutMs: z.number().int().positive().default(15_000),
      /**
       * When the target stops answering mid-scan: vouch pauses, probes with back-off and resumes when it answers
       * (docs/engine.md#outages). `waitMs` bounds the wait (default 60,000; 0 = no watch, the circuit breaker alone).
       */
      outage: z
        .strictObject({
          waitMs: z.number().int().min(0).max(3_600_000).default(60_000),
          /** Path of the recovery probe (an anonymous GET). Default: the target URL. */
          probePath: z.string().startsWith('/').optional(),
          /** Timeout of one probe, ms. Default 5,000. */
          probeTimeoutMs: z.number().int().positive().default(5_000),
        })
        .optional(),
    })
    .default({ requests: 20_000, concurrency: 8, timeoutMs: 15_000 }),
  /** Discovery: the HTML crawl's limits, GraphQL introspection, extra sources (docs/discovery.md). */
  discovery: z
    .strictObject({
      /** Crawl HTML pages from the root. */
      crawl: z.boolean().default(true),
      /** Requests the crawl may send (pages, scripts, sitemaps). */
      maxPages: z.number().int().positive().default(200),
      /** Link depth from the root. */
      maxDepth: z.number().int().min(0).default(5),
      /** Pages fetched per route template (`/item/1`, `/item/2` are one template, `/item/{id}`). */
      samplesPerTemplate: z.number().int().positive().default(2),
      /** Pages fetched in a row that found nothing new (operation, route template, URL) before a crawl ends. */
      maxIdlePages: z.number().int().positive().default(25),
      /** Wall-time ceiling of each HTML crawl (one per identity), ms; the page and idle budgets normally end it first. */
      timeLimitMs: z.number().int().positive().default(60_000),
      /** The browser crawl's budgets per identity, and its wall-time ceiling for all identities, ms. */
      browser: z
        .strictObject({
          maxPages: z.number().int().positive().default(40),
          maxIdlePages: z.number().int().positive().default(10),
          timeLimitMs: z.number().int().positive().default(90_000),
        })
        .prefault({}),
      /** Read robots.txt and sitemaps. */
      robots: z.boolean().default(true),
      /** Look for a GraphQL endpoint and introspect it. */
      graphql: z.boolean().default(true),
      /** HAR files whose requests are extra operations. */
      har: z.array(z.string().min(1)).default([]),
      /** Postman v2.1 collections whose requests are extra operations. */
      postman: z.array(z.string().min(1)).default([]),
    })
    .prefault({}),
  /** Wall-time limits, ms: per stage, and for Chromium's start and each browser action (docs/config.md#deadlines). */
  deadlines: z
    .strictObject({
      discover: z.number().int().positive().default(300_000),
      execute: z.number().int().positive().default(7_200_000),
      confirm: z.number().int().positive().default(900_000),
      report: z.number().int().positive().default(120_000),
      browserLaunch: z.number().int().positive().default(30_000),
      browserAction: z.number().int().positive().default(10_000),
    })
    .prefault({}),
  /** Per check id: `enabled`, `options`; and `strength` (low | default | high): payloads per injection point. */
  checks: z.object({ strength: strengthSchema.optional() }).catchall(checkEntrySchema).default({}),
  policy: z
    .strictObject({
      rules: z.array(policyRuleSchema).optional(),
      /** Rules per target environment; they replace `rules` for a target of that environment. */
      environments: z.partialRecord(z.enum(['production', 'staging', 'preview', 'local']), z.strictObject({ rules: z.array(policyRuleSchema) })).optional(),
      /** Rules added when a change is AI-influenced (--ai-influenced, VOUCH_AI_INFLUENCED, or commit trailers). */
      aiInfluenced: z.strictObject({ rules: z.array(policyRuleSchema).optional() }).optional(),
      /**
       * Share of planned tasks (0..1) that must get a real answer (found or clean) for a PASS; below it the verdict
       * is incomplete. Default 0.9.
       */
      minCoverage: z.number().min(0).max(1).optional(),
    })
    .default({}),
  /** Continuous verification (`vouch watch` with no URL): each target rescanned every interval, drift sent to webhooks. */
  schedules: z
    .array(
      z.strictObject({
        url: z.string().min(1).refine((u) => !hasUrlCredentials(u), `has credentials in it: ${URL_CREDENTIALS_ADVICE}`),
        /** 30s, 10m, 1h, 1d. */
        every: z.string().regex(/^\d+\s*(s|m|h|d)$/i, 'an interval like 30s, 10m, 1h or 1d'),
        webhooks: z.array(z.strictObject({ url: z.string().min(1), format: z.enum(['json', 'slack']).default('json') })).default([]),
      }),
    )
    .default([]),
  /** The team store: a PostgreSQL URL (VOUCH_DATABASE_URL wins); without one, the SQLite file under .vouch/. */
  store: z.strictObject({ url: z.string().min(1).optional() }).optional(),
  /** The out-of-band listener blind checks (SSRF, XXE) use; started only when such a check is planned. */
  oob: z
    .strictObject({
      /** Where it listens. Default 127.0.0.1 on a free port. */
      listen: z.strictObject({ host: z.string().min(1).default('127.0.0.1'), port: z.number().int().min(0).max(65535).default(0) }).optional(),
      /** The URL the target must call back (a tunnel or public address for remote targets). Default the listen address. */
      publicUrl: z.url().optional(),
      /** Turn the listener off: blind checks then report inconclusive. Default true. */
      enabled: z.boolean().default(true),
    })
    .default({ enabled: true }),
  /** `vouch guard`: listen address, upstream, agents (docs/guard.md). */
  guard: guardSchema.optional(),
  /** Accepted risks; `.vouch/accepted.yaml` may hold more in the same shape (a list). */
  accepted: z.array(acceptedRiskSchema).default([]),
})
  .superRefine((c, ctx) => {
    if (c.identities === 'off' && c.accounts === 'auto') ctx.addIssue({ code: 'custom', path: ['accounts'], message: 'accounts: auto registers users, identities: off asks for none: drop one of them' });
  })
  // `checks.strength` is validated where users write it, then lifted out so `checks` stays a plain id → entry record.
  // `identities: auto | off` is lifted out the same way into `identityMode`, so `identities` stays a name → identity record.
  .transform(({ checks, identities, ...rest }) => {
    const { strength, ...entries } = checks;
    const named = typeof identities === 'string' ? {} : identities;
    const identityMode = typeof identities === 'string' ? identities : undefined;
    return { ...rest, identities: named, checks: entries as Record<string, CheckEntryConfig>, ...(strength ? { strength } : {}), ...(identityMode ? { identityMode } : {}) };
  });

export type DiscoveryConfig = z.infer<typeof configSchema>['discovery'];
export type AcceptedRiskConfig = z.infer<typeof acceptedRiskSchema>;

export type VouchConfig = z.infer<typeof configSchema>;
export type IdentityConfig = z.infer<typeof identitySchema>;
export type LoginConfig = z.infer<typeof loginSchema>;
export type StrengthConfig = z.infer<typeof strengthSchema>;
export type PolicyRule = z.infer<typeof policyRuleSchema>;
export type GuardConfig = z.infer<typeof guardSchema>;
export type GuardAgentConfig = z.infer<typeof guardAgentSchema>;
