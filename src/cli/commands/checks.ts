// src/cli/commands/checks.ts — `vouch checks [id]`: list the checks, or explain one.
import { VouchError } from '../../core/index.js';
import { allChecks } from '../../checks/index.js';

export function checksCommand(id: string | undefined, opts: { json?: true }): number {
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
