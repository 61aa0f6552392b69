// test/meta/catalog.test.ts — src/checks/catalog.ts (what `vouch checks` lists without loading a check) equals the checks.
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalog } from '../../src/checks/catalog.js';
import { allChecks, checkFiles } from '../../src/checks/index.js';
import { catalogSource, checkInfo } from '../../src/checks/kit/catalog.js';

describe('check catalog', () => {
  it('is generated from the checks (update: npx vitest run test/meta/catalog.test.ts -u)', async () => {
    await expect(catalogSource(allChecks)).toMatchFileSnapshot(join(import.meta.dirname, '..', '..', 'src', 'checks', 'catalog.ts'));
  });

  it('describes every registered check, in registry order', () => {
    expect(catalog.map((c) => c.id)).toEqual(checkFiles.map((f) => f.id));
    expect(catalog).toEqual(allChecks.map(checkInfo));
  });
});
