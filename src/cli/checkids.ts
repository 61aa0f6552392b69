// src/cli/checkids.ts — `--check a,b` validated against the check files' ids, loading no check.
import { checkFiles } from '../checks/files.js';
import { VouchError } from '../core/errors.js';

/** The ids of `--check a,b` (undefined: every check); VOUCH_USAGE naming those that are no check. */
export function parseCheckIds(list: string | undefined): string[] | undefined {
  if (!list) return undefined;
  const ids = list.split(',').map((s) => s.trim()).filter(Boolean);
  const known = new Set(checkFiles.map((c) => c.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length) throw new VouchError('VOUCH_USAGE', `unknown check id${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, { hint: 'Run `vouch checks` to list the ids.' });
  return ids;
}
