// src/checks/security/support/forms.ts — the HTML forms of a page as a browser would submit them (field types,
// defaults, checked boxes, the first submit button), for checks that fill and send a form the way a user does.
import type { SendRequest } from '../../../core/index.js';

export interface HtmlField {
  name: string;
  /** Lower case: `text`, `password`, `hidden`, `submit`, `checkbox`, `select`, `textarea`, … */
  type: string;
  value: string;
}

export interface HtmlForm {
  /** The form's action resolved against the page (`#` and empty: the page itself, without its fragment). */
  action: string;
  method: string;
  enctype: string;
  /** What a browser sends: named fields, checked boxes and radios only, the first submit button. */
  fields: HtmlField[];
}

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", '#39': "'", '#34': '"' };
const decode = (s: string): string => s.replace(/&(amp|lt|gt|quot|apos|#39|#34);/g, (_, e: string) => ENTITIES[e] ?? _);

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}\\s*=\\s*(?:"([^"]*)"|'([^']*)'|([^\\s>]+))`, 'i').exec(tag);
  return m ? decode(m[1] ?? m[2] ?? m[3] ?? '') : undefined;
}
const flag = (tag: string, name: string): boolean => new RegExp(`\\s${name}(\\s|=|/?>)`, 'i').test(tag);

/** The fields of a form's inner HTML as a browser submits them. */
function fieldsOf(inner: string): HtmlField[] {
  const fields: HtmlField[] = [];
  let submitted = false;
  for (const f of inner.matchAll(/<(textarea|select|button)\b[^>]*>([\s\S]*?)<\/\1\s*>|<input\b[^>]*>/gi)) {
    const tag = f[0].slice(0, f[0].indexOf('>') + 1);
    const name = attr(tag, 'name');
    const kind = (f[1] ?? 'input').toLowerCase();
    const type = kind === 'input' || kind === 'button' ? (attr(tag, 'type') ?? (kind === 'input' ? 'text' : 'submit')).toLowerCase() : kind;
    if (type === 'submit' || type === 'image') {
      // Only the button that submits the form is sent, with its name=value (servers that act on `Change=Change`).
      const label = kind === 'button' ? decode((f[2] ?? '').replace(/<[^>]*>/g, '').trim()) : 'Submit';
      if (!submitted && name) fields.push({ name, type: 'submit', value: attr(tag, 'value') ?? label });
      submitted = true;
      continue;
    }
    if (!name || type === 'button' || type === 'reset' || type === 'file' || flag(tag, 'disabled')) continue;
    if ((type === 'checkbox' || type === 'radio') && !flag(tag, 'checked')) continue;
    let value = attr(tag, 'value') ?? (type === 'checkbox' || type === 'radio' ? 'on' : '');
    if (kind === 'textarea') value = decode(f[2] ?? '');
    if (kind === 'select') {
      const options = [...(f[2] ?? '').matchAll(/<option\b([^>]*)>([^<]*)/gi)];
      const chosen = options.find((o) => flag(`<o ${o[1] ?? ''}>`, 'selected')) ?? options[0];
      value = chosen ? (attr(`<o ${chosen[1] ?? ''}>`, 'value') ?? decode((chosen[2] ?? '').trim())) : '';
    }
    fields.push({ name, type, value });
  }
  return fields;
}

/** The forms of an HTML page at `pageUrl`. */
export function htmlForms(html: string, pageUrl: string): HtmlForm[] {
  const forms: HtmlForm[] = [];
  for (const m of html.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)) {
    const open = `<form ${m[1] ?? ''}>`;
    let action: string;
    try {
      const u = new URL(attr(open, 'action') || pageUrl, pageUrl);
      u.hash = '';
      action = u.href;
    } catch {
      continue; // an action no browser could resolve submits nowhere
    }
    const method = (attr(open, 'method') ?? 'GET').toUpperCase() === 'POST' ? 'POST' : 'GET';
    const enctype = (attr(open, 'enctype') ?? 'application/x-www-form-urlencoded').toLowerCase();
    forms.push({ action, method, enctype, fields: fieldsOf(m[2] ?? '') });
  }
  return forms;
}

/**
 * The request a browser makes when the form is submitted with these values (url-encoded; a GET replaces the action's
 * query). `headers` are added as given.
 */
export function formRequest(
  form: HtmlForm,
  values: ReadonlyArray<[string, string]>,
  headers: Array<[string, string]> = [],
): SendRequest {
  const body = new URLSearchParams(values.map(([k, v]) => [k, v])).toString();
  if (form.method === 'GET') {
    const u = new URL(form.action);
    u.search = body;
    return { method: 'GET', url: u.href, headers };
  }
  const type: [string, string] = ['content-type', 'application/x-www-form-urlencoded'];
  return { method: 'POST', url: form.action, headers: [...headers, type], body };
}
