// src/plan/danger.test.ts — what counts as dangerous (reset, wipe, setup…) and as the caller's own account, and what
// scope.allowDangerous lets through.
import { describe, expect, it } from 'vitest';
import type { Operation } from '../core/index.js';
import { allowedDangerous, changesOwnAccount, excludedOperation, harmsOwnAccount, isDangerous, reportsReset } from './danger.js';

const op = (method: string, path: string, extra: Partial<Operation> = {}): Operation => ({ id: `${method} ${path}`, method, path, params: [], auth: 'unknown', sources: ['html'], ...extra });

describe('isDangerous', () => {
  it.each([
    ['GET', '/setup.php'],
    ['POST', '/api/admin/reset-db'],
    ['POST', '/api/createDb'],
    ['GET', '/tools?action=purge'],
    ['POST', 'http://127.0.0.1:8080/db/truncate'],
    ['POST', '/install'],
    ['POST', '/api/seed'],
    ['POST', '/create_db'],
    ['POST', '/factory-reset'],
    ['POST', '/admin/reset-all-data'],
    // Another account's password reset by the call itself (a shadow probe's `reset-<role>-password`): not vouch's to reset.
    ['GET', '/admin/reset-chef-password'],
  ])('%s %s is dangerous', (method, url) => {
    expect(isDangerous(method, url)).toMatch(/^dangerous: /);
  });

  it.each([
    ['GET', '/api/settings'],
    ['GET', '/dropdown'],
    ['POST', '/api/orders'],
    ['GET', '/api/seeds/7'],
    ['DELETE', '/api/notes/3'],
    // A password-reset request is an account flow (it asks for a code), not a wipe of the state.
    ['POST', '/reset-password'],
    ['POST', '/api/auth/passwordReset'],
    ['POST', '/reset-password/new-password'],
  ])('%s %s is not', (method, url) => {
    expect(isDangerous(method, url)).toBeUndefined();
  });

  it("reads a form's label: DVWA's Create / Reset Database button", () => {
    expect(isDangerous('POST', '/index.php', 'create_db Create / Reset Database')).toMatch(/label says "(reset|create db)"/);
  });
});

describe('reportsReset', () => {
  it('recognises an answer that reports a reset, not ordinary text', () => {
    expect(reportsReset('<div>Database has been created.</div>')).toBe('Database has been created');
    expect(reportsReset('the db was reset to its seed data')).toMatch(/db was reset/);
    expect(reportsReset('<p>Click to create the database.</p>')).toBeUndefined();
    expect(reportsReset(undefined)).toBeUndefined();
  });
});

describe('allowedDangerous', () => {
  it('matches paths with * and an optional method', () => {
    const allow = allowedDangerous(['/setup.php', 'POST /api/reset*']);
    expect(allow('GET', '/setup.php')).toBe(true);
    expect(allow('POST', '/api/reset-all')).toBe(true);
    expect(allow('GET', '/api/reset-all')).toBe(false);
    expect(allow('GET', '/setup.php.bak')).toBe(false);
  });
});

describe('excludedOperation and selfAccount', () => {
  const none = allowedDangerous([]);
  it("leaves out what ends the caller's own account or session; a plain change of it is the guard's call", () => {
    expect(harmsOwnAccount('DELETE', '/api/users/me')).toMatch(/delete the caller's own account/);
    expect(harmsOwnAccount('POST', '/account/deactivate')).toMatch(/own account/);
    expect(harmsOwnAccount('POST', '/api/me/password')).toMatch(/change the password of/);
    expect(harmsOwnAccount('GET', '/logout')).toMatch(/end the identity's session/);
    expect(harmsOwnAccount('PATCH', '/profile')).toBeUndefined();
    expect(changesOwnAccount('PATCH', '/profile')).toMatch(/own account/);
    expect(harmsOwnAccount('GET', '/api/users/me')).toBeUndefined();
    expect(changesOwnAccount('GET', '/api/users/me')).toBeUndefined();
    expect(harmsOwnAccount('DELETE', '/api/notes/{id}')).toBeUndefined();
    expect(excludedOperation(op('PATCH', '/api/users/me'), none)).toBeUndefined();
    expect(excludedOperation(op('DELETE', '/api/users/me'), none)).toMatch(/own account/);
  });
  it("leaves out DVWA's password change (a GET) and dangerous operations unless allowed", () => {
    const csrf = op('GET', '/vulnerabilities/csrf/', { params: [{ name: 'password_new', in: 'query' }, { name: 'password_conf', in: 'query' }] });
    expect(excludedOperation(csrf, none)).toMatch(/change the caller's password/);
    const setup = op('POST', '/setup.php', { params: [{ name: 'create_db', in: 'form', examples: ['Create / Reset Database'] }] });
    expect(excludedOperation(setup, none)).toMatch(/^dangerous/);
    expect(excludedOperation(setup, allowedDangerous(['/setup.php']))).toBeUndefined();
    const register = op('POST', '/register', { params: [{ name: 'password_conf', in: 'form' }] });
    expect(excludedOperation(register, none)).toBeUndefined();
  });
  it('keeps password changes for checks that set only the current password, and nothing else they exclude', () => {
    const own = { ownPassword: true };
    const csrf = op('GET', '/vulnerabilities/csrf/', { params: [{ name: 'password_new', in: 'query' }, { name: 'password_conf', in: 'query' }] });
    expect(excludedOperation(csrf, none, own)).toBeUndefined();
    expect(excludedOperation(op('POST', '/api/me/password'), none, own)).toBeUndefined();
    expect(excludedOperation(op('POST', '/api/me/password'), none)).toMatch(/change the password of/);
    expect(excludedOperation(op('GET', '/logout'), none, own)).toMatch(/end the identity's session/);
    expect(excludedOperation(op('DELETE', '/api/users/me'), none, own)).toMatch(/delete the caller's own account/);
    expect(excludedOperation(op('POST', '/setup.php'), none, own)).toMatch(/^dangerous/);
  });
});
