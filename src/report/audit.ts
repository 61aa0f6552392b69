// src/report/audit.ts — pure text for permission audits and permission diffs: the `vouch audit` table and the lines
// the terminal and Markdown summaries show.
import type { PermissionAudit, PermissionDiff } from '../core/index.js';

const WHOSE: Record<string, string> = { own: 'own objects', others: "others' objects", any: '-' };
const HOW: Record<string, string> = {
  read: 'read (2xx)',
  executed: 'executed (2xx)',
  'validation-rejected': 'probe refused for validation (400/422), not authorization',
};

/** The capabilities beyond the intended scope, one `METHOD /path` each. */
export const beyondScope = (a: PermissionAudit): string[] => [...new Set(a.capabilities.filter((c) => !c.intended).map((c) => c.operation))];

/** The table `vouch audit` prints: one row per capability, beyond-scope rows marked. */
export function auditTable(audits: readonly PermissionAudit[]): string {
  const out: string[] = [];
  for (const a of audits) {
    out.push(`identity ${a.identity}  intended: ${a.intended.length ? a.intended.join(', ') : '(none declared)'}`);
    if (a.unavailable) {
      out.push(`  not audited: ${a.unavailable}`, '');
      continue;
    }
    const rows = a.capabilities.map((c) => [c.intended ? 'ok' : 'BEYOND', c.operation, WHOSE[c.whose] ?? c.whose, HOW[c.established] ?? c.established, c.exchangeId ?? '']);
    const head = ['scope', 'operation', 'whose', 'established by', 'exchange'];
    const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    const line = (r: string[]): string => `  ${r.map((v, i) => (i === r.length - 1 ? v : v.padEnd(widths[i]!))).join('  ')}`.trimEnd();
    out.push(line(head), ...rows.map(line));
    if (!rows.length) out.push('  (no capability established)');
    const beyond = beyondScope(a);
    out.push(`  ${a.capabilities.length} capabilit${a.capabilities.length === 1 ? 'y' : 'ies'}, ${beyond.length} operation${beyond.length === 1 ? '' : 's'} beyond the intended scope${beyond.length ? `: ${beyond.join(', ')}` : ''}`);
    if (a.undetermined?.length) out.push(`  undetermined (${a.undetermined.length}): ${a.undetermined.join('; ')}`);
    out.push('');
  }
  return out.join('\n');
}

/** One line per audited identity, for summaries. */
export function auditLines(audits: readonly PermissionAudit[]): string[] {
  return audits.map((a) => {
    if (a.unavailable) return `${a.identity}: not audited (${a.unavailable})`;
    const beyond = beyondScope(a);
    return `${a.identity}: ${a.capabilities.length} capabilit${a.capabilities.length === 1 ? 'y' : 'ies'}, ${beyond.length ? `beyond intended scope: ${beyond.join(', ')}` : 'none beyond intended scope'}`;
  });
}

/** One line per identity whose permissions changed against the baseline. */
export function permissionDiffLines(diff: PermissionDiff | undefined): string[] {
  return (diff?.identities ?? [])
    .filter((i) => i.gained.length || i.lost.length)
    .map((i) => {
      const beyond = new Set(i.gainedBeyondIntended ?? []);
      const gained = i.gained.map((op) => (beyond.has(op) ? `${op} (beyond intended)` : op));
      return `${i.identity}: ${[gained.length ? `gained ${gained.join(', ')}` : '', i.lost.length ? `lost ${i.lost.join(', ')}` : ''].filter(Boolean).join('; ')}`;
    });
}
