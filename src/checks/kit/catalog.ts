// src/checks/kit/catalog.ts — what `vouch checks` shows of a check, and the source of the generated catalog of them all.
import type { AnyCheck, CheckDefinition } from './define.js';

/** A check's description without its code: id, family, kind, scope, meta and example (plain data). */
export type CheckInfo = Pick<CheckDefinition, 'id' | 'family' | 'kind' | 'scope' | 'meta' | 'example'>;

export function checkInfo(c: AnyCheck): CheckInfo {
  return { id: c.id, family: c.family, kind: c.kind, scope: c.scope, meta: c.meta, example: c.example };
}

/** The text of src/checks/catalog.ts for these checks (test/meta/catalog.test.ts keeps the file equal to it). */
export function catalogSource(checks: readonly AnyCheck[]): string {
  return [
    '// src/checks/catalog.ts — GENERATED from the checks by test/meta/catalog.test.ts (after changing a check\'s meta or',
    '// example, or adding a check: `npx vitest run test/meta/catalog.test.ts -u`). `vouch checks` reads it, loading no check.',
    "import type { CheckInfo } from './kit/catalog.js';",
    '',
    '/** Every check\'s description, in the order of `allChecks`. */',
    `export const catalog: readonly CheckInfo[] = ${JSON.stringify(checks.map(checkInfo), null, 2)};`,
    '',
  ].join('\n');
}
