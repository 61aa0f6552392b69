// src/report/text.test.ts — the shared escaping, control-character and ranking helpers.
import { describe, expect, it } from 'vitest';
import type { Finding } from '../core/index.js';
import {
  compareFindings,
  dropXmlIllegal,
  escapeHtml,
  escapeMarkdown,
  escapeXml,
  harmLines,
  jsonForScript,
  oneLine,
  showControls,
  stripControl,
  truncate,
} from './text.js';

describe('control characters', () => {
  it('stripControl removes C0/C1/DEL and bidi overrides, turns line separators into newlines, keeps tab/CR/LF', () => {
    expect(stripControl('a\u0000b\u001b[31mc\u007f\u0085d\u202ee\u2028f\tg\r\nh')).toBe('ab[31mcde\nf\tg\r\nh');
  });
  it('oneLine folds every kind of line break and cuts with an ellipsis', () => {
    expect(oneLine('a\nb\u2029c\r\n  d')).toBe('a b c d');
    expect(oneLine('x'.repeat(50), 10)).toBe('xxxxxxxxx…');
  });
  it('truncate counts code points and never splits a surrogate pair', () => {
    expect(truncate('😀😀😀', 2)).toBe('😀…');
  });
  it('showControls makes controls visible for <pre>', () => {
    expect(showControls('a\u0000\u001b\u007f\u0085\u2028\n')).toBe('a\u2400\u241b\u2421⟨U+0085⟩⟨U+2028⟩\n');
  });
});

describe('escaping', () => {
  it('escapes HTML text and attributes', () => {
    expect(escapeHtml(`<a href="x" title='y'>&</a>`)).toBe('&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;');
  });
  it('escapes XML and drops characters XML 1.0 forbids', () => {
    expect(dropXmlIllegal('a\u0000b\u001bc\ufffed\ud800e\u{1f600}')).toBe('abcde\u{1f600}');
    expect(escapeXml('<"\'&>\n')).toBe('&lt;&quot;&apos;&amp;&gt;&#10;');
  });
  it('escapes Markdown punctuation, HTML and mentions on one line', () => {
    expect(escapeMarkdown('a|b `c` <img> @team *x* [l](u)\nnext')).toBe(
      'a\\|b \\`c\\` &lt;img&gt; &#64;team \\*x\\* \\[l\\]\\(u\\) next',
    );
  });
  it('jsonForScript cannot close a script element and stays valid JSON', () => {
    const value = { s: '</script><!-- & \u2028\u2029' };
    const text = jsonForScript(value);
    expect(text).not.toMatch(/[<>&\u2028\u2029]/u);
    expect(JSON.parse(text)).toEqual(value);
  });
});

describe('ranking', () => {
  it('orders by risk descending, then fingerprint', () => {
    const f = (fingerprint: string, risk: number) => ({ fingerprint, risk }) as Finding;
    const sorted = [f('b', 10), f('a', 10), f('c', 90)].sort(compareFindings);
    expect(sorted.map((x) => x.fingerprint)).toEqual(['c', 'a', 'b']);
  });
});

describe('harmLines', () => {
  it('names the accounts vouch registered and sums what it left out; nothing when there is neither', () => {
    const lines = harmLines({
      accounts: [
        { identity: 'auto-1', username: 'vouch-1a2b3c4d', registeredWith: 'POST /register', loginWith: 'POST /token', credential: 'bearer' },
        { identity: 'auto-2', username: 'vouch-5e6f7a8b', registeredWith: 'POST /register', loginWith: 'POST /token', credential: 'bearer' },
      ],
      excluded: [
        { method: 'GET', path: '/setup.php', reason: 'dangerous: …', requests: 0 },
        { method: 'DELETE', path: '/menu/1', reason: 'do no harm: …', requests: 11 },
      ],
    });
    expect(lines[0]).toBe('Accounts: vouch registered vouch-1a2b3c4d (auto-1), vouch-5e6f7a8b (auto-2) through POST /register and signed in through POST /token');
    expect(lines[1]).toMatch(/^Do no harm: 1 operation left out, 11 requests refused \(GET \/setup\.php, DELETE \/menu\/1; /);
    expect(harmLines({})).toEqual([]);
  });
});
