// lab/variants.ts — what differs between the lab's two variants: one switch per planted change, named after its effect.

export type LabVariant = 'baseline' | 'candidate';

export const LAB_VARIANTS: readonly LabVariant[] = ['baseline', 'candidate'];

/**
 * Behaviour that differs between the variants. Each comment names the vouch check that should notice it.
 * Problems present in both variants (missing security headers, cookie flags, the open redirect, the weak JWT
 * secret, the over-scoped agent token) are not switches: they are simply how the code is written.
 */
export interface VariantTraits {
  /** `GET /api/products/search` builds its SQL by string concatenation (sql-injection). */
  concatenatedSearch: boolean;
  /** `GET /search` reflects `q` into the page without escaping it (xss-reflected). */
  rawSearchEcho: boolean;
  /** `GET /api/users` lost its admin guard and answers anyone (ignored-auth). */
  openUserList: boolean;
  /** `GET /api/orders/{id}` no longer checks that the order belongs to the caller (bola). */
  noOrderOwnerCheck: boolean;
  /** `GET /api/products/{id}` no longer validates the id nor handles an unknown one: it crashes (not-a-server-error). */
  uncheckedProductId: boolean;
  /** `GET /api/products/{id}` returns `price` as a formatted string, the spec says number (response-schema-conformance). */
  priceAsString: boolean;
  /**
   * `POST /api/orders` checks only that quantity is an integer; a negative one is accepted
   * (negative-data-rejection) and zero hits a database constraint, a 500 (not-a-server-error).
   */
  looseOrderValidation: boolean;
  /** Unhandled errors answer with their message and stack trace (verbose-errors). */
  verboseErrors: boolean;
  /** `GET /api/reports/summary` takes about 1.5 s (max-response-time). */
  slowSummary: boolean;
  /** `GET /debug/env` and `GET /.env` expose the configuration with its secrets (sensitive-files). */
  debugRoutes: boolean;
  /** `POST /api/register` exists, and it takes `role` from the request body (mass-assignment). */
  selfRegistration: boolean;
  /** `GET /api/users/me` includes the password hash (excessive-data-exposure). */
  profileIncludesHash: boolean;
  /** `/api/*` reflects any `Origin` and allows credentials (cors-misconfiguration). */
  reflectCorsOrigin: boolean;
  /** `GET /api/internal/stats` is live but in no spec and no link (shadow-endpoint). */
  internalStats: boolean;
  /** A JWT whose header says `alg: none` is accepted without a signature (jwt-weakness). */
  jwtAlgNone: boolean;
  /** GraphQL `query.productsByName` builds its SQL by string concatenation (sql-injection through a field argument). */
  concatenatedGraphqlSearch: boolean;
  /** `GET /api/files` joins `name` onto its folder, so `../` climbs out (path-traversal). False = fixed. */
  fileNameJoined: boolean;
}

const BASELINE = {
  concatenatedSearch: false,
  rawSearchEcho: false,
  openUserList: false,
  noOrderOwnerCheck: false,
  uncheckedProductId: false,
  priceAsString: false,
  looseOrderValidation: false,
  verboseErrors: false,
  slowSummary: false,
  debugRoutes: false,
  selfRegistration: false,
  profileIncludesHash: false,
  reflectCorsOrigin: false,
  internalStats: false,
  jwtAlgNone: false,
  concatenatedGraphqlSearch: false,
  fileNameJoined: true,
} as const satisfies VariantTraits;

/** The candidate plays an AI-written change: it adds many problems and fixes the path traversal. */
const CANDIDATE = {
  concatenatedSearch: true,
  rawSearchEcho: true,
  openUserList: true,
  noOrderOwnerCheck: true,
  uncheckedProductId: true,
  priceAsString: true,
  looseOrderValidation: true,
  verboseErrors: true,
  slowSummary: true,
  debugRoutes: true,
  selfRegistration: true,
  profileIncludesHash: true,
  reflectCorsOrigin: true,
  internalStats: true,
  jwtAlgNone: true,
  concatenatedGraphqlSearch: true,
  fileNameJoined: false,
} as const satisfies VariantTraits;

export const VARIANT_TRAITS: Readonly<Record<LabVariant, Readonly<VariantTraits>>> = {
  baseline: BASELINE,
  candidate: CANDIDATE,
};
