// src/discover/graphql-auth.ts — observed authentication per GraphQL query field: its own sample request anonymously,
// then as each identity when refused. GraphQL refuses in the body (HTTP 200, `errors` saying so, no data for the field).
import type { Exchange, Operation } from '../core/index.js';
import { answerOf } from './graphql.js';

/** Error messages (or `extensions.code`s) that refuse for lack of credentials, as common servers word them. */
const AUTH_ERROR = /unauthori[sz]ed|unauthenticated|not authenticated|authentication (is )?required|log ?in required|must (be )?(logged|signed) in|forbidden|access denied|not allowed|permission/i;

/** How one answer counts for a field: its data (`data`), a refusal for lack of credentials (`refused`), or neither. */
export type FieldAnswer = 'data' | 'refused' | 'other';

/**
 * A 401 or 403, or a GraphQL answer whose errors name missing credentials and that has no data for the field, is
 * `refused`; a 2xx with non-null data for the field and no errors is `data`; anything else (an error about the sample
 * arguments, null data without a reason) says nothing.
 */
export function fieldAnswer(ex: Exchange, field: string): FieldAnswer {
  const res = ex.response;
  if (!res) return 'other';
  if (res.status === 401 || res.status === 403) return 'refused';
  const env = answerOf(ex);
  if (!env) return 'other';
  const value = env.data && typeof env.data === 'object' ? env.data[field] : undefined;
  const errors = Array.isArray(env.errors) ? env.errors : [];
  const says = errors.some((e) => AUTH_ERROR.test(`${typeof e.message === 'string' ? e.message : ''} ${typeof e.extensions?.code === 'string' ? e.extensions.code : ''}`));
  if (says && (value === null || value === undefined)) return 'refused';
  if (res.status < 300 && value !== null && value !== undefined && errors.length === 0) return 'data';
  return 'other';
}

/**
 * Sets `auth` and `live` of one GraphQL query field from its answers (`send` asks as an identity): data for anonymous
 * → `none`; refused anonymously and data for a signed-in identity → `required`; refused by everyone → `required` when
 * the refusal says so (a 401, an error naming credentials), `unknown` for a bare 403 (forbidden to all). Mutations and
 * subscriptions are not asked (a mutation would run): they keep `unknown`.
 */
export async function observeGraphqlField(op: Operation, identities: readonly string[], send: (identity: string) => Promise<Exchange>): Promise<void> {
  if (op.graphql?.kind !== 'query') return;
  const anon = await send('anonymous');
  const a = fieldAnswer(anon, op.graphql.field);
  if (answerOf(anon)) op.live = true;
  if (a === 'data') {
    op.auth = 'none';
    return;
  }
  if (a !== 'refused') return;
  for (const who of identities) {
    if (fieldAnswer(await send(who), op.graphql.field) === 'data') {
      op.auth = 'required';
      return;
    }
  }
  if (anon.response?.status !== 403) op.auth = 'required';
}
