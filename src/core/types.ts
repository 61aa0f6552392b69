// src/core/types.ts — the shared, serializable data of vouch; every stage reads and writes these shapes.
// core/ imports nothing outside core/ (see ARCHITECTURE.md).

export type Severity = 'critical' | 'high' | 'medium' | 'low' | 'info';
export type Confidence = 'confirmed' | 'tentative';
export type Exposure = 'anonymous' | 'authenticated' | 'privileged';
export type Family = 'security' | 'conformance' | 'reliability' | 'authorization';
export type Environment = 'production' | 'staging' | 'preview' | 'local';
export type AuthRequirement = 'none' | 'required' | 'unknown';
export type SurfaceSource = 'spec' | 'html' | 'spa' | 'script' | 'har' | 'shadow' | 'graphql' | 'postman';

export const SEVERITIES: readonly Severity[] = ['critical', 'high', 'medium', 'low', 'info'];
export const FAMILIES: readonly Family[] = ['security', 'conformance', 'reliability', 'authorization'];

/** A deployment under test. */
export interface Target {
  /** Short name used in reports and history; defaults to the URL's host:port. */
  name: string;
  /** Base URL, e.g. `http://127.0.0.1:8080`. */
  url: string;
  /** `production` turns on safe mode. Default `staging`. */
  environment: Environment;
  /** An OpenAPI document (file path or URL); when absent, discovery looks at common locations. */
  spec?: string;
}

/** TLS to the target (undici connections and the raw writer alike). */
export interface TlsSettings {
  /** Verify the server's certificate and name (default). Off: any certificate is accepted, and reports say so. */
  verify: boolean;
  /** Extra trusted CA certificates (PEM), on top of Node's bundled roots: a staging CA or a self-signed certificate. */
  ca?: string;
}

/** Where vouch may send requests. Everything else is refused and logged. */
export interface Scope {
  /** Allowed origins, `scheme://host:port`; the target origin by default. */
  origins: string[];
  /** Path prefixes to include (empty: all). */
  include: string[];
  /** Path prefixes to exclude. */
  exclude: string[];
}

/** How an identity authenticates. Secrets are redacted everywhere they are written. */
export type IdentityAuth =
  | { kind: 'none' }
  | { kind: 'bearer'; token: string }
  | { kind: 'header'; name: string; value: string }
  | { kind: 'cookie'; name: string; value: string }
  | ({ kind: 'json-login'; url: string; body: Record<string, unknown>; tokenPath?: string } & LoginRecipe)
  | ({
      kind: 'form-login';
      url: string;
      fields: Record<string, string>;
      /** Success conditions (all given ones must hold; none given: any status below 400). */
      successStatus?: number;
      /** A cookie of this name must be set by the login response. */
      successCookie?: string;
      /** The login must redirect to a Location containing this text. */
      successLocation?: string;
    } & LoginRecipe);

/**
 * Where a login's credential is in the login's answer: a JSON path of the body, a response header, or the cookies
 * it sets (the identity's cookie jar is then its session; `name` must be among them when given).
 */
export type LoginToken = { from: 'body'; path: string } | { from: 'header'; name: string } | { from: 'cookie'; name?: string };

/** How a step's answer fills a variable: an HTML form field's value, a regex's first group, a JSON path, a header. */
export type LoginExtract = { field: string } | { regex: string } | { path: string } | { header: string };

/** A request before the login itself (e.g. GET the form for its CSRF token); `${var}` is filled in later steps. */
export interface LoginStep {
  method: 'GET' | 'POST';
  url: string;
  form?: Record<string, string>;
  json?: Record<string, unknown>;
  extract: Record<string, LoginExtract>;
}

/** What a login recipe adds to the request that logs in: steps before it, the token's source, how it is sent, its life. */
export interface LoginRecipe {
  steps?: LoginStep[];
  /** Default: `tokenPath` of a JSON login; the cookies of a form login. */
  token?: LoginToken;
  /** The header the token goes in and its scheme (none: the token raw). Default `Authorization: Bearer <token>`. */
  send?: { header: string; scheme?: string };
  /** How long a login holds, when the token says nothing (a JWT's `exp` is read); refreshed before it ends. */
  lifetimeMs?: number;
  /** At most one re-login after a 401 per this many ms (a 401 on fresher credentials is the answer). Default 5000. */
  minIntervalMs?: number;
}

/** Role decides a finding's exposure: reachable anonymously, by any signed-in user, or only by a privileged one. */
export type IdentityRole = 'anonymous' | 'user' | 'privileged';

export interface Identity {
  name: string;
  role: IdentityRole;
  auth: IdentityAuth;
  /** Declared scope of the credential, e.g. `["GET /api/orders/*"]` (permission audit). */
  intended?: string[];
  /**
   * The account vouch registered for this identity (`identities: auto`, `accounts: auto`): its names on the target.
   * Only such accounts are written to by cross-user tests (a write naming the account in its body).
   */
  account?: { username: string; email?: string };
}

export type HeaderList = Array<[string, string]>;

export interface RequestRecord {
  method: string;
  /** Absolute URL exactly as sent (path and query byte for byte). */
  url: string;
  headers: HeaderList;
  body?: string;
  /** `base64` when the body is not valid UTF-8. */
  bodyEncoding?: 'utf8' | 'base64';
}

export interface ResponseRecord {
  status: number;
  headers: HeaderList;
  body: string;
  bodyEncoding?: 'utf8' | 'base64';
  /** True when the body was cut at the size cap. */
  truncated?: boolean;
  /** Engine notes: decompression cut off, redirect followed, and so on. */
  notes?: string[];
}

export interface Timing {
  /** Epoch ms when the request started. */
  startedAt: number;
  /** Total time to the last body byte, ms. */
  totalMs: number;
  /** Time to response headers, ms. */
  headersMs?: number;
}

/** One request and what came back, recorded by the engine; findings cite exchanges by id as proof. */
export interface Exchange {
  id: string;
  request: RequestRecord;
  response?: ResponseRecord;
  /** Set when no response arrived (timeout, refused, reset, scope refusal). */
  error?: { code: string; message: string };
  timing: Timing;
  identity: string;
  taskId?: string;
  checkId?: string;
}

export type ParamLocation = 'query' | 'path' | 'header' | 'cookie' | 'body' | 'form';

/** A JSON Schema object as found in a spec (kept loose on purpose: specs are messy). */
export type JsonSchema = Record<string, unknown>;

export interface Parameter {
  name: string;
  in: ParamLocation;
  required?: boolean;
  schema?: JsonSchema;
  /** Values seen or given as examples. */
  examples?: unknown[];
}

/** A response header an OpenAPI document declares (name as written; compare case-insensitively). */
export interface ResponseHeader {
  required?: boolean;
  schema?: JsonSchema;
}

export interface Operation {
  /** `METHOD /path/{template}`. */
  id: string;
  method: string;
  path: string;
  params: Parameter[];
  requestBody?: { contentType: string; schema?: JsonSchema; example?: unknown };
  responses?: Record<string, { contentType?: string; schema?: JsonSchema; headers?: Record<string, ResponseHeader> }>;
  auth: AuthRequirement;
  sources: SurfaceSource[];
  tags?: string[];
  summary?: string;
  /**
   * Set for GraphQL operations (several share one `path`; `id` is `POST /graphql query.user`). Their stable key in
   * fingerprints, the surface diff and re-tests is `GRAPHQL query.user` (`graphqlKey`), whatever the path or method.
   * `deprecated`: the schema's deprecation reason of the field. `accept`: the media type a subscription answered
   * in over HTTP when it was a stream that ended (`text/event-stream`, `multipart/mixed`), sent as `accept`.
   */
  graphql?: { kind: 'query' | 'mutation' | 'subscription'; field: string; query: string; deprecated?: string; accept?: string };
  /** Producer → consumer links: a field of this operation's response feeds another operation's parameter. */
  links?: OperationLink[];
  /** What the spec declares (`auth` is what was observed, when discovery could probe it). */
  declaredAuth?: AuthRequirement;
  /** Set by discovery's probes: false when every probe got "not found" (a spec operation that is gone). */
  live?: boolean;
}

/** `field` is a path into the response body (`id`, `items[].id`); `operation` is the consumer's id. */
export interface OperationLink {
  field: string;
  operation: string;
  parameter: string;
  source: 'spec' | 'inferred';
}

export interface Surface {
  target: string;
  operations: Operation[];
  /** Problems met while discovering that did not stop it. */
  warnings: string[];
  /** Where the spec came from, if one was used. */
  spec?: { location: string; version: string };
  /** What each discovery source found and what ended it; how unknown paths were answered (docs/discovery.md). */
  discovery?: DiscoveryStats;
}

/** One discovery source's work (per identity for the crawls): what it found and what budget stopped it. */
export interface DiscoverySourceStats {
  source: 'spec' | 'html' | 'script' | 'browser' | 'graphql' | 'har' | 'postman' | 'shadow';
  /** The session it used (the crawls run once per identity). */
  identity?: string;
  /** Requests it sent. */
  requests?: number;
  /** Pages it read (the crawls). */
  pages?: number;
  /** Operations it reported. */
  found: number;
  /** Of those, operations no earlier source had. */
  added: number;
  /** What ended it: `nothing left to visit`, a budget (pages, idle pages, time), a stop. */
  stop?: string;
}

export interface DiscoveryStats {
  sources: DiscoverySourceStats[];
  /** How the target answered a random path, per identity and path prefix (soft 404s: src/discover/soft404.ts). */
  notFound?: Array<{ identity: string; key: string; status: number; length: number; hash: string; location?: string; echoes: boolean }>;
}

export interface Task {
  id: string;
  checkId: string;
  /** Absent for target-wide checks. */
  operationId?: string;
  identity: string;
}

/** Why a whole check is left out of a plan by choice (not because it applies nowhere): it was not selected. */
export const SKIP_NOT_SELECTED = 'not selected with --check';
export const SKIP_DISABLED = 'disabled in vouch.yaml';
/**
 * Whether a skip or a not-run reason is "do no harm" (src/plan/harm.ts, danger.ts: a dangerous operation, an identity's
 * own account, an object vouch did not create). Such tasks count as skipped, not against coverage (docs/verdict.md).
 */
export const isHarmReason = (reason: string | undefined): boolean => reason !== undefined && (reason.startsWith('do no harm:') || reason.startsWith('dangerous:'));

export interface SkippedTask {
  checkId: string;
  operationId?: string;
  identity?: string;
  reason: string;
}

export interface Plan {
  tasks: Task[];
  skipped: SkippedTask[];
}

/** What a check proposes; the confirm stage decides whether it is proven. */
/**
 * Where a candidate or finding was seen: method and route template; `graphql` names the GraphQL root field
 * (`query.search`) when the operation is one (execute sets it from the task's operation).
 */
export interface OperationRef {
  method: string;
  path: string;
  graphql?: string;
}

export interface Candidate {
  checkId: string;
  taskId: string;
  operation: OperationRef;
  url: string;
  parameter?: string;
  identity: string;
  /** Overrides the check's default title/severity for this instance. */
  title?: string;
  severity?: Severity;
  /** The vulnerability class, part of the fingerprint (e.g. `sqli-error`, `missing-header:csp`). */
  vulnClass: string;
  /** Confidence the check claims; `confirmed` needs exchanges that prove it. */
  confidence: Confidence;
  proof: {
    /** One line: what was sent, what came back, why that proves it. */
    summary: string;
    /** Exchange ids, the demonstrating one first. */
    exchangeIds: string[];
    /** The part of the response that is the evidence. */
    evidence?: string;
    payload?: string;
  };
  /** Other places with the same root cause (e.g. one missing header on many pages). */
  locations?: Array<{ method: string; path: string; url: string; parameter?: string }>;
  /**
   * One root cause of the whole target (a CORS policy, a missing header): the fingerprint leaves the operation out, so
   * which operations a run saw it on does not change it; `operation` is the first of the sorted `locations`
   * (`groupLocations` in checks/kit/group.ts).
   */
  grouped?: true;
  /** Data the check's own confirm() needs. */
  data?: Record<string, unknown>;
  /** Sensitive values the finding is about (an exposed hash, a token): masked in its proof exchanges and evidence. */
  redact?: string[];
  /**
   * Secrets the candidate carries for its confirm() (a cracked signing key in `data`): never kept at rest. The task
   * that proposed it is left out of the scan journal, so a resume runs it again and derives them afresh.
   */
  secrets?: string[];
}

export type TaskOutcome =
  | { taskId: string; status: 'found'; candidates: number }
  | { taskId: string; status: 'clean' }
  | { taskId: string; status: 'inconclusive'; reason: string }
  | { taskId: string; status: 'crashed'; reason: string }
  | { taskId: string; status: 'not-run'; reason: string };

/**
 * Against a baseline: `fixed` = the candidate tested it again (same check, same operation, a real answer) and it is
 * gone; `not-retested` = gone from the candidate's findings, but the candidate did not test it again.
 */
export type FindingStatus = 'new' | 'persisting' | 'fixed' | 'not-retested';

export interface ProofExchange {
  id: string;
  request: RequestRecord;
  response?: ResponseRecord;
  error?: { code: string; message: string };
  timing: Timing;
  identity: string;
}

export interface RiskFactors {
  severity: number;
  confidence: number;
  exposure: number;
  novelty: number;
}

export interface Finding {
  fingerprint: string;
  checkId: string;
  title: string;
  family: Family;
  severity: Severity;
  confidence: Confidence;
  cwe?: string;
  owasp?: string;
  operation: OperationRef;
  url: string;
  parameter?: string;
  vulnClass: string;
  exposure: Exposure;
  status?: FindingStatus;
  risk: number;
  riskFactors: RiskFactors;
  proof: {
    summary: string;
    exchanges: ProofExchange[];
    reproduce: string;
    evidence?: string;
    payload?: string;
  };
  remediation: string;
  /** One root cause of the whole target: the fingerprint leaves the operation out (see Candidate.grouped). */
  grouped?: true;
  /** Other places the same root cause was seen. */
  locations?: Array<{ method: string; path: string; url: string; parameter?: string }>;
}

export interface VerdictReason {
  rule: string;
  message: string;
  fingerprints: string[];
  level: 'fail' | 'warn';
}

/** pass: every rule passed and the scan established enough; fail: a `fail` rule fired (wins over incomplete). */
export type VerdictStatus = 'pass' | 'fail' | 'incomplete';

/** Why a scan could not establish enough to pass (docs/verdict.md). */
export type IncompleteCauseKind =
  | 'login-failed'
  | 'session-lost'
  | 'target-unavailable'
  | 'interrupted'
  | 'budget'
  | 'deadline'
  | 'check-crashed'
  | 'coverage';

export interface IncompleteCause {
  cause: IncompleteCauseKind;
  /** One line: what happened and what to do. */
  message: string;
  /** The identity (login-failed, session-lost). */
  identity?: string;
  /** The check (check-crashed). */
  checkId?: string;
  /** Planned tasks this cause concerns (crashed or not run), when it concerns tasks. */
  tasks?: number;
}

/** A verdict's outcome; a report stored before `status` existed is read from `pass`. */
export function verdictStatus(v: Pick<Verdict, 'pass'> & { status?: VerdictStatus | undefined }): VerdictStatus {
  return v.status ?? (v.pass ? 'pass' : 'fail');
}

export interface Verdict {
  /** True only when `status` is `pass` (kept for readers of `pass` alone). */
  pass: boolean;
  status: VerdictStatus;
  reasons: VerdictReason[];
  /** Why the scan is incomplete; present whenever a cause applies, also when a failing rule makes the status `fail`. */
  incomplete?: IncompleteCause[];
  /** Set when the stricter profile for AI-influenced changes was applied, with why. */
  profile?: { name: 'ai-influenced'; why: string };
}

/** An accepted risk: a finding suppressed with a reason until an expiry date. */
export interface AcceptedRisk {
  fingerprint: string;
  reason: string;
  /** ISO date (YYYY-MM-DD); the suppression ends at the start of that day (UTC). */
  expires: string;
  /** `expired` ones no longer suppress: the finding counts again. */
  state: 'active' | 'expired';
  /** Whether this scan had a finding with that fingerprint. */
  matched: boolean;
}

export interface ParamChange {
  operation: string;
  parameter: string;
  in: ParamLocation;
  /** `deprecated`: a GraphQL argument the candidate's schema marks deprecated and the baseline's did not. */
  change: 'added' | 'removed' | 'retyped' | 'deprecated';
  from?: string;
  to?: string;
}

export interface SurfaceDiff {
  added: string[];
  removed: string[];
  authChanged: Array<{ operation: string; from: AuthRequirement; to: AuthRequirement }>;
  /** Parameters added, removed or retyped on operations present in both. */
  paramsChanged?: ParamChange[];
  /** Candidate operations that answer but are not in its spec. */
  shadow?: string[];
  /** Operations in the candidate's spec that no longer answer. */
  zombie?: string[];
  /** Operations present in both that the candidate's schema newly marks deprecated (GraphQL fields). */
  deprecated?: string[];
}

/** Latency of one operation over repeated identical requests, ms. */
export interface LatencyStats {
  samples: number;
  p50: number;
  p95: number;
  p99: number;
}

/** How one operation behaved on the baseline and on the candidate for the same seeded requests. */
export interface OperationBehaviour {
  operation: string;
  /** Status code counts, e.g. `{ "200": 9, "500": 1 }`. */
  baseline: { statuses: Record<string, number>; latency?: LatencyStats };
  candidate: { statuses: Record<string, number>; latency?: LatencyStats };
  /** Requests whose status class changed, as `METHOD url: 200 → 500` lines. */
  statusChanges: string[];
  /** Response schema differences (fields added, removed, retyped). */
  schemaChanges: string[];
  /** Set when latency was compared: the test used, its p-value, the effect (candidate p50 / baseline p50). */
  latency?: { test: string; pValue: number; effect: number; regression: boolean };
}

export interface BehaviourDiff {
  seed?: number;
  operations: OperationBehaviour[];
}

/** One thing a credential can actually do, and how vouch established it. */
export interface Capability {
  /** `METHOD /path/{template}`. */
  operation: string;
  /** Whose objects: the identity's own, other identities', or not object-scoped. */
  whose: 'own' | 'others' | 'any';
  /** `executed` (the request succeeded), `validation-rejected` (refused for its body, not for authorization), `read`. */
  established: string;
  /** The exchange that proves it. */
  exchangeId?: string;
  /** Whether the identity's declared `intended` scope covers it. */
  intended: boolean;
}

export interface PermissionAudit {
  identity: string;
  intended: string[];
  capabilities: Capability[];
  /** Set when the audit could not run for this identity (e.g. its login failed), with why. */
  unavailable?: string;
  /** Operations tried whose outcome told nothing (`METHOD /path: why`). */
  undetermined?: string[];
}

export interface PermissionDiff {
  /** Operations (`METHOD /path`) an identity can do in the candidate and not in the baseline, and the reverse. */
  identities: Array<{ identity: string; gained: string[]; lost: string[]; gainedBeyondIntended?: string[] }>;
}

export interface Comparison {
  baseline: { kind: 'url' | 'scan' | 'report'; ref: string };
  /** `notRetested`: baseline findings the candidate neither has nor tested again (their count counts against coverage). */
  findings: { new: string[]; persisting: string[]; fixed: string[]; notRetested?: string[] };
  /** Findings of the baseline that the candidate tested again and no longer has. */
  fixedFindings: Finding[];
  /** Findings of the baseline that the candidate does not have but did not test again (absent in older reports). */
  notRetestedFindings?: Finding[];
  surface: SurfaceDiff;
  behaviour: BehaviourDiff;
  permissions: PermissionDiff;
}

export interface CheckRunStat {
  checkId: string;
  tasks: number;
  found: number;
  clean: number;
  inconclusive: number;
  crashed: number;
  notRun: number;
}

/** One planned task and how it ended (JUnit writes a test case per record). */
export interface TaskRecord {
  checkId: string;
  operationId?: string;
  identity: string;
  status: TaskOutcome['status'];
  reason?: string;
}

export interface ScanStats {
  requests: { sent: number; refused: number; byStatus: Record<string, number>; errors: number };
  durationMs: number;
  checks: { run: CheckRunStat[]; skipped: SkippedTask[] };
  tasks: TaskRecord[];
}

/** Tasks by what they got. `answered` is found + clean: a real answer. */
export interface CoverageCounts {
  planned: number;
  answered: number;
  inconclusive: number;
  crashed: number;
  notRun: number;
  /** Skipped by the plan (not in `planned`). */
  skipped: number;
  /** answered / planned; 1 when nothing was planned. */
  ratio: number;
}

/** One operation × check × identity that got no real answer, and why. */
export interface CoverageGap {
  /** Absent for target-wide checks. */
  operationId?: string;
  checkId: string;
  /** Absent for plan skips that concern every identity. */
  identity?: string;
  status: 'inconclusive' | 'crashed' | 'not-run' | 'skipped';
  reason: string;
}

/** What the scan actually tested (docs/verdict.md): derived from `stats.tasks`, the plan's skips and the surface. */
export interface Coverage extends CoverageCounts {
  /** The `policy.minCoverage` the ratio was held to. */
  minCoverage: number;
  /** Baseline findings whose check did not get a real answer on their operation in this scan (gate comparison). */
  notRetested?: number;
  byFamily: Array<{ family: Family } & CoverageCounts>;
  /** Operations no task got a real answer on, with why; listed first by every writer. */
  untested: Array<{ operationId: string; reason: string }>;
  /** Per operation (and `*` for target-wide tasks), in surface order. */
  operations: Array<{ operationId: string } & CoverageCounts>;
  /** Every planned or skipped task without a real answer. */
  gaps: CoverageGap[];
}

export const REPORT_SCHEMA_VERSION = 1;

/** The contract of `report.json` (schemas/report.schema.json). */
export interface Report {
  schemaVersion: typeof REPORT_SCHEMA_VERSION;
  tool: { name: 'vouch'; version: string };
  scanId: string;
  target: Target;
  /** The seed of generated data; `--seed <n>` with it reproduces the run. */
  seed?: number;
  startedAt: string;
  finishedAt: string;
  /** Where the scan was allowed to send (a `last-passing` baseline must have had the same scope). */
  scope?: Scope;
  /** True when the scan stopped before finishing its plan (interrupt, budget, fatal target error). */
  partial?: { reason: string; notRun: number };
  stats: ScanStats;
  surface: Surface;
  findings: Finding[];
  comparison?: Comparison;
  /** Latency per operation measured in this scan (reliability checks). */
  latency?: Record<string, LatencyStats>;
  /** Permission audit per identity that declares `intended` (authorization family, `vouch audit`). */
  audit?: PermissionAudit[];
  /** Accepted risks that applied to this scan (suppressed findings stay in `findings`, not counted by the policy). */
  accepted?: AcceptedRisk[];
  /** What was deployed: the version it declares (where vouch.yaml says to look) and its front-end assets. */
  deployment?: Deployment;
  /** Do no harm: operations and requests left out (dangerous, an identity's own account, objects vouch did not create). */
  excluded?: Excluded[];
  /** Accounts vouch registered on the target to sign in with (`identities: auto`). */
  accounts?: CreatedAccount[];
  /** Paths of objects vouch created on the target (its own creates' answers): the only objects it wrote to or deleted. */
  created?: string[];
  /** What got a real answer, per family and operation; the verdict holds it to `policy.minCoverage`. */
  coverage?: Coverage;
  verdict: Verdict;
}

/** An operation or request left out to do no harm, with why; `requests` is how many the engine refused (0: planned out). */
export interface Excluded {
  method: string;
  path: string;
  reason: string;
  requests: number;
}

/** A throwaway account vouch registered (`identities: auto`) and used as an identity. */
export interface CreatedAccount {
  /** The identity name it was used as (`auto-1`). */
  identity: string;
  /** The account's user name (or email) on the target. */
  username: string;
  /** The sign-up operation (`POST /register`). */
  registeredWith: string;
  /** The login operation (`POST /token`), and how its credential was sent back. */
  loginWith: string;
  credential: 'bearer' | 'cookie';
}

/** The deployed version as observed, and a fingerprint of the scripts and styles its pages load. */
export interface Deployment {
  /** The version the target declared (absent: not declared where vouch.yaml says, or nowhere configured). */
  version?: string;
  /** Where the version was read, e.g. `header X-Lab-Version`; with no version, why none was found. */
  versionSource?: string;
  assets?: DeploymentAssets;
}

export interface DeploymentAssets {
  /** SHA-256 (hex) over the sorted `url sha256` lines of the files below. */
  fingerprint: string;
  /** Each script and stylesheet the scanned pages load (same origin), with the SHA-256 of its body. */
  files: { url: string; sha256: string }[];
}

/** What `vouch guard` did with one request (stored in `guard_decisions`, written to the audit log). */
export interface GuardRecord {
  /** ISO time the request arrived. */
  at: string;
  /** The guard run (one `vouch guard` process). */
  session: string;
  /** The agent's name, or `-` when no valid token was presented. */
  agent: string;
  method: string;
  /** The decoded path, query left out (it may hold secrets). */
  path: string;
  /** `METHOD /template` of the surface, when one matched. */
  operation?: string;
  /** The final decision: a held request ends allowed (approved) or denied (rejected, timed out). */
  decision: 'allow' | 'deny';
  rule: string;
  /** Whether it was held for a person, and how that ended. */
  approval?: 'approved' | 'rejected' | 'timeout';
  /** The status the agent got. */
  status: number;
  /** The upstream's status, when the request was forwarded and answered. */
  upstreamStatus?: number;
  /** Milliseconds from arrival to the last byte sent to the agent (a hold's wait included). */
  ms: number;
  requestBytes: number;
  responseBytes: number;
  learn: boolean;
}

/** A request `vouch guard` held for a person, as the store keeps it (table guard_held) for the dashboard. */
export interface GuardHold {
  /** The approval's uuid. */
  id: string;
  session: string;
  agent: string;
  method: string;
  path: string;
  operation?: string;
  /** The approval rule that held it. */
  rule: string;
  requestBytes: number;
  /** ISO times. */
  heldAt: string;
  expiresAt: string;
  state: 'pending' | 'approved' | 'rejected' | 'timeout';
  /** Who decided (`dashboard: <name>`, `approval API`), once decided. */
  decidedBy?: string;
  decidedAt?: string;
}
