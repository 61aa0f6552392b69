// src/report/junit.ts — JUnit XML: a test suite per check family, a test case per planned task; what did not run is
// skipped; an incomplete verdict's causes come first, as errored cases of a `verdict` suite.
import type { Family, Finding, Report, TaskRecord } from '../core/index.js';
import { FAMILIES } from '../core/index.js';
import { causesOf, compareText, escapeXml, escapeXmlText, oneLine, operationLabel, sortFindings, verdictWord } from './text.js';

export interface JunitOptions {
  /**
   * Family of each check id (from the check registry). TaskRecords carry no family, so without this map a task's
   * family is taken from a finding of the same check, and tasks of checks without findings go to `unclassified`.
   */
  families?: Readonly<Record<string, Family>>;
}

/** `verdict` holds one errored case per cause of an incomplete verdict, first. */
type SuiteName = 'verdict' | Family | 'unclassified';

type Outcome =
  | { kind: 'pass'; note?: string }
  | { kind: 'failure'; findings: Finding[] }
  | { kind: 'error'; message: string; type?: string }
  | { kind: 'skipped'; message: string };

interface Case {
  name: string;
  classname: string;
  suite: SuiteName;
  outcome: Outcome;
}

const SEP = ' \u00b7 ';

function caseName(checkId: string, operationId: string | undefined, identity: string | undefined): string {
  return [checkId, operationId ?? 'target', identity ?? 'any identity'].map((s) => oneLine(s, 200)).join(SEP);
}

function operationIdOf(f: Finding): string {
  return `${f.operation.method.toUpperCase()} ${f.operation.path}`;
}

function identitiesOf(f: Finding): string[] {
  return f.proof.exchanges.map((x) => x.identity);
}

function failureText(f: Finding): string {
  return [
    `${f.title}`,
    `severity: ${f.severity}  confidence: ${f.confidence}  risk: ${f.risk}  exposure: ${f.exposure}${f.status ? `  status: ${f.status}` : ''}`,
    `operation: ${operationLabel(f, 400)}${f.parameter === undefined ? '' : ` [${f.parameter}]`}`,
    `url: ${f.url}`,
    `proof: ${f.proof.summary}`,
    `reproduce: ${f.proof.reproduce}`,
    `remediation: ${f.remediation}`,
    `fingerprint: ${f.fingerprint}${f.cwe ? `  ${f.cwe}` : ''}`,
  ].join('\n');
}

/** Assign each confirmed finding to at most one task: same check, same operation, and an identity of its proof when possible. */
function matchFindings(tasks: readonly TaskRecord[], confirmed: readonly Finding[]): { byTask: Map<number, Finding[]>; unmatched: Finding[] } {
  const byTask = new Map<number, Finding[]>();
  const unmatched: Finding[] = [];
  const foundByCheck = new Map<string, Array<{ t: TaskRecord; i: number }>>();
  tasks.forEach((t, i) => {
    if (t.status === 'found') foundByCheck.set(t.checkId, [...(foundByCheck.get(t.checkId) ?? []), { t, i }]);
  });
  for (const f of confirmed) {
    const sameCheck = foundByCheck.get(f.checkId) ?? [];
    const sameOp = sameCheck.filter(({ t }) => t.operationId === operationIdOf(f));
    const ids = identitiesOf(f);
    const pick =
      sameOp.find(({ t }) => ids.includes(t.identity)) ??
      sameOp[0] ??
      // Target-wide tasks (no operation) own every finding of their check.
      sameCheck.find(({ t }) => t.operationId === undefined && ids.includes(t.identity)) ??
      sameCheck.find(({ t }) => t.operationId === undefined);
    if (pick === undefined) unmatched.push(f);
    else byTask.set(pick.i, [...(byTask.get(pick.i) ?? []), f]);
  }
  return { byTask, unmatched };
}

function buildCases(report: Report, options: JunitOptions): Case[] {
  const findings = sortFindings(report.findings);
  const seen = new Map<string, Family>();
  const notRetested = sortFindings(report.comparison?.notRetestedFindings ?? []);
  for (const f of [...findings, ...(report.comparison?.fixedFindings ?? []), ...notRetested]) if (!seen.has(f.checkId)) seen.set(f.checkId, f.family);
  const familyOf = (checkId: string): SuiteName => options.families?.[checkId] ?? seen.get(checkId) ?? 'unclassified';
  const confirmed = findings.filter((f) => f.confidence === 'confirmed');
  const tentative = findings.filter((f) => f.confidence === 'tentative');
  const { byTask, unmatched } = matchFindings(report.stats.tasks, confirmed);
  const cases: Case[] = [];

  report.stats.tasks.forEach((t, i) => {
    const suite = familyOf(t.checkId);
    const base = { name: caseName(t.checkId, t.operationId, t.identity), classname: `vouch.${suite}.${t.checkId}`, suite };
    const matched = byTask.get(i);
    let outcome: Outcome;
    if (matched) outcome = { kind: 'failure', findings: matched };
    else if (t.status === 'crashed') outcome = { kind: 'error', message: `check crashed: ${t.reason ?? 'no reason recorded'}` };
    else if (t.status === 'inconclusive') outcome = { kind: 'skipped', message: `inconclusive: ${t.reason ?? 'no reason recorded'}` };
    else if (t.status === 'not-run') outcome = { kind: 'skipped', message: `not run: ${t.reason ?? 'no reason recorded'}` };
    else if (t.status === 'found') {
      const n = tentative.filter((f) => f.checkId === t.checkId && operationIdOf(f) === t.operationId).length;
      outcome = { kind: 'pass', note: n > 0 ? `${n} tentative finding(s), not proven` : 'candidates were not confirmed' };
    } else outcome = { kind: 'pass' };
    cases.push({ ...base, outcome });
  });

  for (const f of unmatched) {
    cases.push({
      name: caseName(f.checkId, operationIdOf(f), identitiesOf(f)[0]),
      classname: `vouch.${f.family}.${f.checkId}`,
      suite: f.family,
      outcome: { kind: 'failure', findings: [f] },
    });
  }
  // A baseline finding the candidate did not test again is neither passed nor fixed: a skipped case of its own.
  for (const f of notRetested) {
    cases.push({
      name: `${caseName(f.checkId, operationIdOf(f), undefined)}${SEP}baseline ${f.fingerprint}`,
      classname: `vouch.${familyOf(f.checkId)}.${f.checkId}`,
      suite: familyOf(f.checkId),
      outcome: { kind: 'skipped', message: `not re-tested: ${f.title} (baseline finding ${f.fingerprint}) got no answer from its check in this scan, so it is not fixed` },
    });
  }
  for (const s of report.stats.checks.skipped) {
    const suite = familyOf(s.checkId);
    cases.push({
      name: caseName(s.checkId, s.operationId, s.identity),
      classname: `vouch.${suite}.${s.checkId}`,
      suite,
      outcome: { kind: 'skipped', message: `skipped: ${s.reason}` },
    });
  }
  const sorted = cases.sort((a, b) => compareText(a.classname, b.classname) || compareText(a.name, b.name));
  return [...verdictCases(report), ...sorted];
}

/** One errored test case per cause that kept the scan from establishing enough to pass, in the verdict's order. */
function verdictCases(report: Report): Case[] {
  return causesOf(report).map((c, i) => ({
    name: [`incomplete ${i + 1}`, c.cause, c.identity ?? c.checkId].filter((x): x is string => x !== undefined).map((x) => oneLine(x, 200)).join(SEP),
    classname: `vouch.verdict.${c.cause}`,
    suite: 'verdict',
    outcome: { kind: 'error', type: 'incomplete', message: c.message },
  }));
}

function caseXml(c: Case): string {
  const open = `    <testcase name="${escapeXml(c.name)}" classname="${escapeXml(c.classname)}" time="0"`;
  const o = c.outcome;
  switch (o.kind) {
    case 'pass':
      return o.note === undefined ? `${open}/>` : `${open}>\n      <system-out>${escapeXmlText(o.note)}</system-out>\n    </testcase>`;
    case 'skipped':
      return `${open}>\n      <skipped message="${escapeXml(oneLine(o.message, 1000))}"/>\n    </testcase>`;
    case 'error':
      return `${open}>\n      <error message="${escapeXml(oneLine(o.message, 1000))}" type="${escapeXml(o.type ?? 'crashed')}">${escapeXmlText(o.message)}</error>\n    </testcase>`;
    case 'failure': {
      const first = o.findings[0];
      const message = first === undefined ? '' : o.findings.length === 1 ? first.proof.summary : `${o.findings.length} findings; first: ${first.proof.summary}`;
      const type = first === undefined ? 'finding' : `${first.severity}/${first.checkId}`;
      const text = o.findings.map(failureText).join('\n\n');
      return `${open}>\n      <failure message="${escapeXml(oneLine(message, 1000))}" type="${escapeXml(type)}">${escapeXmlText(text)}</failure>\n    </testcase>`;
    }
  }
}

interface Counts {
  tests: number;
  failures: number;
  errors: number;
  skipped: number;
}

function count(cases: readonly Case[]): Counts {
  return {
    tests: cases.length,
    failures: cases.filter((c) => c.outcome.kind === 'failure').length,
    errors: cases.filter((c) => c.outcome.kind === 'error').length,
    skipped: cases.filter((c) => c.outcome.kind === 'skipped').length,
  };
}

function countAttrs(c: Counts): string {
  return `tests="${c.tests}" failures="${c.failures}" errors="${c.errors}" skipped="${c.skipped}"`;
}

/** JUnit XML text. Confirmed findings are failures, crashes errors, inconclusive/not-run/skipped work `<skipped>`. */
export function toJunit(report: Report, options: JunitOptions = {}): string {
  const cases = buildCases(report, options);
  const suiteOrder: SuiteName[] = ['verdict', ...FAMILIES, 'unclassified'];
  const seconds = (report.stats.durationMs / 1000).toFixed(3);
  const suites = suiteOrder
    .map((name) => ({ name, cases: cases.filter((c) => c.suite === name) }))
    .filter((s) => s.cases.length > 0)
    .map((s) =>
      [
        `  <testsuite name="${escapeXml(`vouch ${s.name}`)}" ${countAttrs(count(s.cases))} time="0" timestamp="${escapeXml(report.startedAt.replace(/Z$/u, ''))}" hostname="${escapeXml(oneLine(report.target.name, 200))}">`,
        ...s.cases.map(caseXml),
        '  </testsuite>',
      ].join('\n'),
    );
  const title = `vouch ${verdictWord(report.verdict)}: ${oneLine(report.target.name, 200)}`;
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${escapeXml(title)}" ${countAttrs(count(cases))} time="${seconds}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}
