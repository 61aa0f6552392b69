// src/checks/security/support/forms.test.ts — a page's forms as a browser submits them, and their requests.
import { describe, expect, it } from 'vitest';
import { formRequest, htmlForms } from './forms.js';

describe('htmlForms', () => {
  it('reads fields as a browser submits them: checked boxes, the chosen option, the first submit button', () => {
    const html = `<form action="/save?x=1#top" method="post">
      <input type="hidden" name="csrf_token" value="a&amp;b"><input name="title" value="Hi">
      <input type="checkbox" name="public" value="yes"><input type="checkbox" name="notify" checked>
      <select name="size"><option value="s">S</option><option value="m" selected>M</option></select>
      <textarea name="body">text</textarea><input type="file" name="photo"><input name="off" value="1" disabled>
      <button type="submit" name="go" value="save">Save</button><input type="submit" name="other" value="x">
    </form><form><input type="password" name="pw"></form>`;
    const [post, get] = htmlForms(html, 'http://127.0.0.1:1/page?y=2');
    expect(post).toEqual({
      action: 'http://127.0.0.1:1/save?x=1',
      method: 'POST',
      enctype: 'application/x-www-form-urlencoded',
      fields: [
        { name: 'csrf_token', type: 'hidden', value: 'a&b' },
        { name: 'title', type: 'text', value: 'Hi' },
        { name: 'notify', type: 'checkbox', value: 'on' },
        { name: 'size', type: 'select', value: 'm' },
        { name: 'body', type: 'textarea', value: 'text' },
        { name: 'go', type: 'submit', value: 'save' },
      ],
    });
    expect(get).toMatchObject({ action: 'http://127.0.0.1:1/page?y=2', method: 'GET', fields: [{ name: 'pw', type: 'password', value: '' }] });
  });

  it('builds the request: a GET replaces the query, a POST sends a form body', () => {
    const [get] = htmlForms('<form action="/a?old=1"><input name="q"></form>', 'http://127.0.0.1:1/');
    expect(formRequest(get!, [['q', 'a b&c']], [['referer', 'https://x.example/']])).toEqual({ method: 'GET', url: 'http://127.0.0.1:1/a?q=a+b%26c', headers: [['referer', 'https://x.example/']] });
    const [post] = htmlForms('<form method="POST" action="/b"></form>', 'http://127.0.0.1:1/');
    expect(formRequest(post!, [['n', '1']])).toEqual({ method: 'POST', url: 'http://127.0.0.1:1/b', headers: [['content-type', 'application/x-www-form-urlencoded']], body: 'n=1' });
  });
});
