// src/engine/deployment.test.ts — version assurance's pure parts: meta and asset extraction, JSON paths, fingerprints, verdict reasons.
import { describe, expect, it } from 'vitest';
import type { Deployment } from '../core/index.js';
import { assetRefs, assetsFingerprint, deploymentReasons, jsonPath, metaContent } from './deployment.js';

const dep = (version: string | undefined, files: [string, string][]): Deployment => {
  const f = files.map(([url, c]) => ({ url, sha256: c.repeat(64) }));
  return { ...(version ? { version, versionSource: 'header X-V' } : { versionSource: 'header X-V: absent from GET /' }), assets: { fingerprint: assetsFingerprint(f), files: f } };
};

describe('deployment observation', () => {
  it('reads <meta name content> in any attribute order, scripts and stylesheets only', () => {
    expect(metaContent('<meta content="2.1" name="App-Version">', 'app-version')).toBe('2.1');
    expect(metaContent('<meta name="other" content="x">', 'app-version')).toBeUndefined();
    expect(assetRefs('<script src="/a.js"></script><script>inline()</script><link rel="stylesheet" href=/s.css><link rel="icon" href="/f.ico">')).toEqual(['/a.js', '/s.css']);
  });

  it('follows a dotted JSON path to a string or number', () => {
    expect(jsonPath({ build: { version: '3.0' } }, 'build.version')).toBe('3.0');
    expect(jsonPath({ v: [{ n: 7 }] }, 'v.0.n')).toBe('7');
    expect(jsonPath({ v: { n: true } }, 'v.n')).toBeUndefined();
    expect(jsonPath('x', 'a')).toBeUndefined();
  });

  it('fingerprints the same files equally in any order, and differently when one byte changes', () => {
    const a = [{ url: '/a.js', sha256: 'a'.repeat(64) }, { url: '/b.css', sha256: 'b'.repeat(64) }];
    expect(assetsFingerprint(a)).toBe(assetsFingerprint([...a].reverse()));
    expect(assetsFingerprint(a)).not.toBe(assetsFingerprint([a[0]!, { url: '/b.css', sha256: 'c'.repeat(64) }]));
  });

  it('fails on another version or none, passes on a match, and warns on new assets under the same version only', () => {
    expect(deploymentReasons(dep('1.0', []), { expectVersion: '1.0' })).toEqual([]);
    expect(deploymentReasons(dep('1.1', []), { expectVersion: '1.0' })[0]).toMatchObject({ rule: 'expect-version', level: 'fail' });
    expect(deploymentReasons(dep(undefined, []), { expectVersion: '1.0' })[0]!.message).toMatch(/declared none \(header X-V: absent/);
    const before = dep('1.0', [['/a.js', 'a']]);
    expect(deploymentReasons(dep('1.0', [['/a.js', 'b']]), { baseline: before })).toEqual([expect.objectContaining({ rule: 'deployment-changed-same-version', level: 'warn' })]);
    expect(deploymentReasons(dep('1.1', [['/a.js', 'b']]), { baseline: before })).toEqual([]); // a new version: a change is expected
    expect(deploymentReasons(dep('1.0', [['/a.js', 'a']]), { baseline: before })).toEqual([]); // the same build
  });
});
