// src/cli/commands/ai.ts — decides whether the stricter AI-influenced policy applies: flag, environment, or commit trailers.
import { spawnSync } from 'node:child_process';
import { VouchError } from '../../core/errors.js';
import { aiTrailer } from '../../prioritize/ai.js';

export function resolveAiInfluenced(opts: { aiInfluenced?: true; commits?: string }, env: NodeJS.ProcessEnv = process.env): { why: string } | undefined {
  if (opts.aiInfluenced) return { why: '--ai-influenced' };
  if (env.VOUCH_AI_INFLUENCED && /^(1|true|yes)$/i.test(env.VOUCH_AI_INFLUENCED)) return { why: 'VOUCH_AI_INFLUENCED is set' };
  if (!opts.commits) return undefined;
  const r = spawnSync('git', ['log', '--format=%B%x00', opts.commits], { encoding: 'utf8' });
  if (r.status !== 0) throw new VouchError('VOUCH_USAGE', `--commits ${opts.commits}: git log failed: ${(r.stderr || r.error?.message || '').trim().split('\n')[0]}`, { hint: 'Give a commit range of this repository, e.g. origin/main..HEAD.' });
  const trailer = aiTrailer(r.stdout);
  return trailer ? { why: `commit trailer in ${opts.commits}: ${trailer}` } : undefined;
}
