// src/cli/commands/checks.ts — `vouch checks [id]`: list the checks, or explain one.
import { VouchError } from '../../core/errors.js';
import { catalog } from '../../checks/catalog.js';
import { checkFiles } from '../../checks/files.js';
import { checkInfo, type CheckInfo } from '../../checks/kit/catalog.js';

/**
 * The checks' descriptions from the generated catalog, which loads no check. When the check files differ from it (a
 * check added or removed and the catalog not regenerated yet) they come from the checks themselves, slower but true.
 */
async function describeChecks(): Promise<readonly CheckInfo[]> {
  const fresh = catalog.length === checkFiles.length && catalog.every((c, i) => c.id === checkFiles[i]?.id);
  if (fresh) return catalog;
  const { allChecks } = await import('../../checks/index.js');
  return allChecks.map(checkInfo);
}

export async function checksCommand(id: string | undefined, opts: { json?: true }): Promise<number> {
  const allChecks = await describeChecks();
  if (!id) {
    const rows = allChecks.map((c) => ({ id: c.id, family: c.family, kind: c.kind, severity: c.meta.severity, title: c.meta.title }));
    if (opts.json) process.stdout.write(JSON.stringify(rows, null, 2) + '\n');
    else for (const r of rows) process.stdout.write(`${r.id.padEnd(30)} ${r.family.padEnd(14)} ${r.kind.padEnd(8)} ${r.severity.padEnd(9)} ${r.title}\n`);
    return 0;
  }
  const check = allChecks.find((c) => c.id === id);
  if (!check) throw new VouchError('VOUCH_USAGE', `unknown check id: ${id}`, { hint: 'Run `vouch checks` to list the ids.' });
  const m = check.meta;
  if (opts.json) {
    process.stdout.write(JSON.stringify({ id: check.id, family: check.family, kind: check.kind, scope: check.scope, ...m, example: check.example }, null, 2) + '\n');
    return 0;
  }
  process.stdout.write(
    [
      `${check.id} — ${m.title}`,
      `family ${check.family} · ${check.kind} · per ${check.scope} · severity ${m.severity}${m.cwe ? ` · ${m.cwe}` : ''}${m.owasp ? ` · ${m.owasp}` : ''}`,
      '',
      m.description,
      '',
      `proof: ${m.proves}`,
      `fix:   ${m.remediation}`,
      `example: ${check.example.summary}`,
      `docs: docs/checks/${check.id}.md`,
      '',
    ].join('\n'),
  );
  return 0;
}
