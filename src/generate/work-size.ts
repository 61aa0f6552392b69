// src/generate/work-size.ts — do no harm: a number that sets how much work one request does (`depth`, `count`,
// `size`, `limit`…) is never sent huge. BrokenCrystals' `GET /api/nestedJson?depth=99999999999999999999` hung its
// server for good; an overflow or a 2^53 there is a denial of service, not a test.

/** Parameter names that size a request's work: nesting, repetitions, items, pages, dimensions. */
const WORK_SIZE = /^(depth|level|levels|nesting|count|counts|size|limit|length|len|n|num|number|times|repeat|repeats|iterations?|rounds|loops?|amount|qty|quantity|items|rows|records|pages?|page_?size|per_?page|width|height|max|max_?\w+|min_?\w+|top|take|first|last|recursion|expand|workers|threads|cost|factor|multiplier|power|exponent)$/i;

/** The largest value vouch sends in a work-size parameter that declares no maximum. */
export const WORK_SIZE_CAP = 1000;

/** Whether a parameter or field name sizes the work of a request (the last segment of a dotted JSON path counts). */
export function isWorkSize(name: string): boolean {
  const last = name.split(/[.:]/).pop() ?? name;
  return WORK_SIZE.test(last.replace(/([a-z])([A-Z])/g, '$1_$2'));
}
