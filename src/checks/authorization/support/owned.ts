// src/checks/authorization/support/owned.ts — whose an object is, learned from the application: the names an identity
// goes by, owner fields in list items, personal records that name a known account, and a marker (a value only the
// owner's object carries) that proves a read returned that object rather than just a 2xx.
import type { Identity, Operation } from '../../../core/index.js';
import { ACCOUNT_FIELD } from './accounts.js';

/** Fields of a list item that say whose it is (`owner`, `user`, `username`, `userId`, `created_by`, …). */
export const OWNER_FIELD = /^(owner|owner_?(id|name)|user|user_?(id|name)|username|author|author_?id|created_?by|customer(_?id)?|account(_?id)?|e-?mail)$/i;
/** Fields that hold personal contact or identity data: served to strangers, they expose a person. */
export const PERSONAL_FIELD = /^(phone(_?number)?|mobile(_?number)?|tel(ephone)?|cell(_?phone)?|(home_?|street_?|postal_?)?address|street|birth_?date|date_?of_?birth|dob|ssn|iban)$/i;

/** The names an identity goes by on the target: its registered account, or the user/e-mail its login sends. */
export function knownNames(who: Identity): string[] {
  const out = [who.account?.username, who.account?.email];
  const sent = who.auth.kind === 'json-login' ? who.auth.body : who.auth.kind === 'form-login' ? who.auth.fields : {};
  for (const [k, v] of Object.entries(sent)) if (ACCOUNT_FIELD.test(k) && typeof v === 'string') out.push(v);
  return [...new Set(out.filter((n): n is string => !!n && n.length >= 3 && !n.includes('${')).map((n) => n.toLowerCase()))];
}

const scalar = (v: unknown): string | undefined => (typeof v === 'string' || typeof v === 'number' ? String(v) : undefined);

/** Whether a list item's owner field names `who` (by a name it goes by, or by its user id when known). */
export function ownedBy(item: unknown, names: readonly string[], userId?: string): boolean {
  if (!item || typeof item !== 'object' || Array.isArray(item)) return false;
  return Object.entries(item as Record<string, unknown>).some(([k, v]) => {
    if (!OWNER_FIELD.test(k)) return false;
    const nested = v && typeof v === 'object' && !Array.isArray(v) ? Object.values(v as object).map(scalar) : [scalar(v)];
    return nested.some((s) => s !== undefined && (names.includes(s.toLowerCase()) || (userId !== undefined && s === userId)));
  });
}

/** The user id an account's own answer carries (`id`, `user_id`, `userId`), when it names the account. */
export function userIdOf(self: Record<string, unknown> | undefined, names: readonly string[]): string | undefined {
  if (!self || !Object.values(self).some((v) => typeof v === 'string' && names.includes(v.toLowerCase()))) return undefined;
  return scalar(self.id) ?? scalar(self.user_id) ?? scalar(self.userId);
}

/** The string and number leaves of a JSON value (depth ≤ 6), with their paths. */
function leaves(value: unknown, path = '', depth = 0, out: Array<[string, string]> = []): Array<[string, string]> {
  if (depth > 6 || out.length > 200) return out;
  if (Array.isArray(value)) value.slice(0, 20).forEach((v, i) => leaves(v, `${path}[${i}]`, depth + 1, out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) leaves(v, path ? `${path}.${k}` : k, depth + 1, out);
  else if (typeof value === 'string' || typeof value === 'number') out.push([path, String(value)]);
  return out;
}

/** Values too common to single out an object: booleans-as-text, statuses, small numbers, dates' shared parts. */
const COMMON = /^(true|false|null|none|n\/a|yes|no|ok|active|pending|open|closed|new|draft|user|admin|customer|-?\d{1,3}(\.\d+)?)$/i;

const TIME = /^\d{4}-\d\d-\d\d([T ][\d:.]+Z?([+-]\d\d:?\d\d)?)?$|^\d{10,13}$/;

/**
 * A marker of the owner's object: a value of it (≥ 4 characters, not a common word or small number, not the id the
 * request names) that appears in none of `shown` — everything the other user was legitimately given (its own list,
 * its own object). Its presence in the other user's read proves the read returned the owner's object.
 */
export function markerOf(owner: unknown, id: string, shown: readonly string[]): { field: string; value: string } | undefined {
  // Words before times: a name or an address says whose object it is better than a creation time does.
  const ranked = leaves(owner).sort(([, a], [, b]) => Number(TIME.test(a)) - Number(TIME.test(b)));
  for (const [field, value] of ranked) {
    if (value.length < 4 || value === id || COMMON.test(value)) continue;
    if (shown.some((s) => s.includes(value) || s.includes(JSON.stringify(value).slice(1, -1)))) continue;
    return { field, value };
  }
  return undefined;
}

/**
 * A personal record in an answer: an object whose account field (`email`, `username`, `user`) names a known
 * identity and that carries personal data (a phone number, an address, a birth date) with a value.
 */
export function personalRecord(value: unknown, identities: readonly Identity[]): { owner: string; path: string; field: string; value: string } | undefined {
  const known = identities.filter((i) => i.role !== 'anonymous').map((i) => ({ who: i.name, names: knownNames(i) }));
  const visit = (v: unknown, path: string, depth: number): ReturnType<typeof personalRecord> => {
    if (depth > 4 || !v || typeof v !== 'object') return undefined;
    if (Array.isArray(v)) {
      for (const [i, x] of v.slice(0, 50).entries()) {
        const hit = visit(x, `${path}${path ? '.' : ''}${i}`, depth + 1);
        if (hit) return hit;
      }
      return undefined;
    }
    const o = v as Record<string, unknown>;
    const owner = known.find((k) => Object.entries(o).some(([f, x]) => ACCOUNT_FIELD.test(f) && typeof x === 'string' && k.names.includes(x.toLowerCase())));
    const personal = Object.entries(o).find(([f, x]) => PERSONAL_FIELD.test(f) && typeof x === 'string' && x.trim().length >= 4);
    if (owner && personal) return { owner: owner.who, path: `${path}${path ? '.' : ''}${personal[0]}`, field: personal[0], value: personal[1] as string };
    for (const [k, x] of Object.entries(o)) {
      const hit = visit(x, `${path}${path ? '.' : ''}${k}`, depth + 1);
      if (hit) return hit;
    }
    return undefined;
  };
  return visit(value, '', 0);
}

/** Personal values an identity's own account read showed it, per identity (`ownPersonalRecord`). */
export type OwnValues = ReadonlyArray<{ owner: string; values: readonly string[] }>;

const personalText = (x: unknown): string | undefined => (typeof x === 'string' && x.trim().length >= 6 ? x.trim() : undefined);

/** The personal values (phone, address, birth date…, ≥ 6 characters) of a JSON value, objects within `depth` levels. */
export function personalValues(value: unknown, depth = 1): string[] {
  const out: string[] = [];
  const visit = (v: unknown, d: number): void => {
    if (d > depth || !v || typeof v !== 'object' || out.length >= 50) return;
    if (Array.isArray(v)) return v.slice(0, 50).forEach((x) => visit(x, d + 1));
    for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
      const text = PERSONAL_FIELD.test(k) ? personalText(x) : undefined;
      if (text) out.push(text);
      else visit(x, d + 1);
    }
  };
  visit(value, 0);
  return out;
}

/**
 * A record holding a personal value that an identity's own account read shows it (its phone number in a list of
 * orders): whose it is is proven by that identity's own answer, not by a name in the record.
 */
export function ownPersonalRecord(value: unknown, own: OwnValues): { owner: string; path: string; field: string; value: string } | undefined {
  if (!own.length) return undefined;
  const visit = (v: unknown, path: string, depth: number): ReturnType<typeof ownPersonalRecord> => {
    if (depth > 4 || !v || typeof v !== 'object') return undefined;
    const entries: Array<[string, unknown]> = Array.isArray(v) ? v.slice(0, 50).map((x, i) => [String(i), x]) : Object.entries(v as Record<string, unknown>);
    for (const [k, x] of entries) {
      const at = `${path}${path ? '.' : ''}${k}`;
      const text = !Array.isArray(v) && PERSONAL_FIELD.test(k) ? personalText(x) : undefined;
      const owner = text === undefined ? undefined : own.find((o) => o.values.some((y) => y.toLowerCase() === text.toLowerCase()));
      if (owner && text) return { owner: owner.owner, path: at, field: k, value: text };
      const hit = visit(x, at, depth + 1);
      if (hit) return hit;
    }
    return undefined;
  };
  return visit(value, '', 0);
}

/** Query parameters that name a user by id (`user_id`, `userId`, `uid`, `account_id`, `owner_id`, `customer_id`). */
const USER_ID_PARAM = /^(user_?id|uid|account_?id|owner_?id|customer_?id|profile_?id|member_?id)$/i;

/** The query parameter of an operation that names a user by id, if it has one. */
export const idParam = (op: Operation): string | undefined => op.params.find((p) => p.in === 'query' && USER_ID_PARAM.test(p.name))?.name;
