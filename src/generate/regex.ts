// src/generate/regex.ts — a schema's `pattern` as something safe to run: compiled with the `u` flag when it allows it
// (else without), invalid ones said, and patterns with nested unbounded quantifiers (`(\w+)*`: catastrophic
// backtracking, seconds to hours on one 40-character string) guarded so that long strings are not tested.

/** Strings longer than this are not tested against a pattern with nested quantifiers (they are taken as matching). */
export const GUARDED_MAX = 24;

/** A pattern as a RegExp: `u` flag when it compiles so, else none; undefined when it is no ECMAScript regex. */
export function patternRegExp(pattern: string): RegExp | undefined {
  for (const flags of ['u', '']) {
    try {
      return new RegExp(pattern, flags);
    } catch {
      // try the next flags
    }
  }
  return undefined;
}

/**
 * Whether a pattern repeats without bound a group that starts with an unbounded quantifier (`(a+)+`, `([\w.]*)*`,
 * `(\d+,?)*`): an iteration can then start with what the previous one could have taken, the shape that makes
 * backtracking engines take exponential time on a string that almost matches. `(-[a-z]+)*` (each iteration starts
 * with a literal) is not flagged. A heuristic: other ambiguous shapes (`(a|a)*`) are not found.
 */
export function hasNestedQuantifier(pattern: string): boolean {
  interface Group {
    atoms: number;
    startsUnbounded: boolean;
  }
  const stack: Group[] = [{ atoms: 0, startsUnbounded: false }];
  const unboundedAt = (i: number): boolean => {
    const c = pattern[i];
    if (c === '*' || c === '+') return true;
    return c === '{' && /^\{\d*,(\d{2,})?\}/.test(pattern.slice(i));
  };
  /** Index after the quantifier at `i` (if any). */
  const skipQuantifier = (i: number): number => {
    let j = i;
    if (pattern[j] === '*' || pattern[j] === '+' || pattern[j] === '?') j++;
    else if (pattern[j] === '{') {
      const m = /^\{\d*(,\d*)?\}/.exec(pattern.slice(j));
      if (m) j += m[0].length;
    }
    if (j > i && pattern[j] === '?') j++;
    return j;
  };
  const atom = (end: number, startsUnbounded = false): number => {
    const g = stack[stack.length - 1]!;
    const q = unboundedAt(end);
    if (g.atoms === 0) g.startsUnbounded ||= q || startsUnbounded;
    g.atoms++;
    return skipQuantifier(end) - 1;
  };
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern[i];
    if (c === '\\') {
      let j = i + 2;
      if ((pattern[i + 1] === 'p' || pattern[i + 1] === 'P' || pattern[i + 1] === 'u') && pattern[j] === '{') j = pattern.indexOf('}', j) + 1 || pattern.length;
      else if (pattern[i + 1] === 'u') j = i + 6;
      else if (pattern[i + 1] === 'x') j = i + 4;
      i = atom(j);
    } else if (c === '[') {
      let j = i + 1;
      if (pattern[j] === '^') j++;
      if (pattern[j] === ']') j++;
      while (j < pattern.length && pattern[j] !== ']') j += pattern[j] === '\\' ? 2 : 1;
      i = atom(j + 1);
    } else if (c === '(') {
      stack.push({ atoms: 0, startsUnbounded: false });
      const m = /^\(\?(?:[:=!]|<[=!]|<[^>]*>)/.exec(pattern.slice(i));
      if (m) i += m[0].length - 1;
    } else if (c === ')') {
      const g = stack.length > 1 ? stack.pop()! : { atoms: 0, startsUnbounded: false };
      if (g.startsUnbounded && unboundedAt(i + 1)) return true;
      i = atom(i + 1, g.startsUnbounded);
    } else if (c === '|') stack[stack.length - 1]!.atoms = 0;
    else if (c === '^' || c === '$') continue;
    else i = atom(i + 1);
  }
  return false;
}

/** What can `test` a string against a pattern in bounded time. */
export interface SafePattern {
  test: (s: string) => boolean;
}

/**
 * `re` itself, or for a pattern with nested quantifiers a tester that only runs it on strings up to GUARDED_MAX
 * characters (longer ones pass: a constraint not checked, never a hang).
 */
export function safePattern(re: RegExp): SafePattern {
  if (!hasNestedQuantifier(re.source)) return re;
  return { test: (s: string): boolean => s.length > GUARDED_MAX || re.test(s) };
}
