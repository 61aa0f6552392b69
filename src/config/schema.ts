// src/config/schema.ts — the zod schema of vouch.yaml: target, scope, identities, budget, checks and policy.
import { z } from 'zod';

const identityBase = {
  /** anonymous | user | privileged: decides a finding's exposure. Default `user`. */
  role: z.enum(['anonymous', 'user', 'privileged']).default('user'),
  /** Declared scope of the credential, e.g. `["GET /api/orders/*"]` (permission audit). */
  intended: z.array(z.string()).optional(),
};

export const identitySchema = z
  .strictObject({
    ...identityBase,
    bearer: z.string().min(1).optional(),
    header: z.strictObject({ name: z.string().min(1), value: z.string() }).optional(),
    cookie: z.strictObject({ name: z.string().min(1), value: z.string() }).optional(),
    login: z
      .union([
        z.strictObject({
          json: z.strictObject({ url: z.string().min(1), body: z.record(z.string(), z.unknown()), tokenPath: z.string().min(1) }),
        }),
        z.strictObject({
          form: z.strictObject({ url: z.string().min(1), fields: z.record(z.string(), z.string()), successStatus: z.number().int().optional() }),
        }),
      ])
      .optional(),
  })
  .refine((i) => [i.bearer, i.header, i.cookie, i.login].filter((x) => x !== undefined).length <= 1, {
    message: 'give at most one of bearer, header, cookie, login',
  });

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

export const configSchema = z.strictObject({
  target: z
    .strictObject({
      url: z.url().optional(),
      name: z.string().optional(),
      environment: z.enum(['production', 'staging', 'preview', 'local']).default('staging'),
      spec: z.string().optional(),
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
    })
    .default({ origins: [], include: [], exclude: [] }),
  identities: z.record(z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'identity names are letters, digits, - and _'), identitySchema).default({}),
  safeMode: z
    .strictObject({
      /** Methods allowed in safe mode besides GET/HEAD/OPTIONS. */
      allowMethods: z.array(z.string()).default([]),
    })
    .optional(),
  budget: z
    .strictObject({
      requests: z.number().int().positive().default(20_000),
      perCheck: z.number().int().positive().optional(),
      ratePerSecond: z.number().positive().optional(),
      concurrency: z.number().int().min(1).max(256).default(8),
      timeoutMs: z.number().int().positive().default(15_000),
    })
    .default({ requests: 20_000, concurrency: 8, timeoutMs: 15_000 }),
  checks: z.record(z.string(), z.strictObject({ enabled: z.boolean().default(true), options: z.record(z.string(), z.unknown()).optional() })).default({}),
  policy: z
    .strictObject({
      rules: z.array(policyRuleSchema).optional(),
      /** Rules per target environment; they replace `rules` for a target of that environment. */
      environments: z.partialRecord(z.enum(['production', 'staging', 'preview', 'local']), z.strictObject({ rules: z.array(policyRuleSchema) })).optional(),
      /** Rules added when a change is AI-influenced (--ai-influenced, VOUCH_AI_INFLUENCED, or commit trailers). */
      aiInfluenced: z.strictObject({ rules: z.array(policyRuleSchema).optional() }).optional(),
    })
    .default({}),
  /** Continuous verification (`vouch watch` with no URL): each target rescanned every interval, drift sent to webhooks. */
  schedules: z
    .array(
      z.strictObject({
        url: z.string().min(1),
        /** 30s, 10m, 1h, 1d. */
        every: z.string().regex(/^\d+\s*(s|m|h|d)$/i, 'an interval like 30s, 10m, 1h or 1d'),
        webhooks: z.array(z.strictObject({ url: z.string().min(1), format: z.enum(['json', 'slack']).default('json') })).default([]),
      }),
    )
    .default([]),
  /** The team store: a PostgreSQL URL (VOUCH_DATABASE_URL wins); without one, the SQLite file under .vouch/. */
  store: z.strictObject({ url: z.string().min(1).optional() }).optional(),
  /** Accepted risks; `.vouch/accepted.yaml` may hold more in the same shape (a list). */
  accepted: z.array(acceptedRiskSchema).default([]),
});

export type AcceptedRiskConfig = z.infer<typeof acceptedRiskSchema>;

export type VouchConfig = z.infer<typeof configSchema>;
export type IdentityConfig = z.infer<typeof identitySchema>;
export type PolicyRule = z.infer<typeof policyRuleSchema>;
