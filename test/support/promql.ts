/**
 * The metric selectors of a PromQL expression, found by a small tokenizer: enough for tests to
 * hold every alert rule and dashboard query to the metrics the tenant Prometheus has and to the
 * tenant's namespace. Not a parser, and not asked to judge syntax: `promtool check rules` parses
 * the same expressions with Prometheus' own parser. (The npm PromQL parser, a Lezer grammar,
 * would bring its runtime and two peer packages for what this does in sixty lines.)
 *
 * A metric name is an identifier that is not a function or aggregation (followed by `(`, or
 * an aggregation's `by`/`without`), not a keyword, and not inside a string, a label matcher
 * block, a `by (...)`-style label list, or a `[...]` range.
 */

export interface MetricSelector {
  metric: string;
  /** The label matchers as written, `namespace="matih-acme"`, in order. */
  matchers: string[];
}

const AGGREGATIONS = new Set(['sum', 'min', 'max', 'avg', 'group', 'stddev', 'stdvar', 'count', 'count_values', 'bottomk', 'topk', 'quantile', 'limitk', 'limit_ratio']);
const LABEL_LISTS = new Set(['by', 'without', 'on', 'ignoring', 'group_left', 'group_right']);
const KEYWORDS = new Set(['and', 'or', 'unless', 'offset', 'bool', 'inf', 'nan', 'atan2']);
const IDENTIFIER = /[a-zA-Z_:][a-zA-Z0-9_:]*/y;

/** The index just past the closing `close` that matches the opening at `from`, strings skipped. */
function pastClosing(expr: string, from: number, open: string, close: string): number {
  let depth = 0;
  for (let i = from; i < expr.length; i++) {
    const c = expr[i];
    if (c === '"' || c === "'" || c === '`') i = pastString(expr, i) - 1;
    else if (c === open) depth++;
    else if (c === close && --depth === 0) return i + 1;
  }
  throw new Error(`unbalanced ${open}${close} in ${expr}`);
}

function pastString(expr: string, from: number): number {
  const quote = expr[from];
  for (let i = from + 1; i < expr.length; i++) {
    if (expr[i] === '\\' && quote !== '`') i++;
    else if (expr[i] === quote) return i + 1;
  }
  throw new Error(`unterminated string in ${expr}`);
}

/** `a="x", b=~"y,z"` as its matchers, split at the commas outside strings. */
function matchersOf(block: string): string[] {
  const out: string[] = [];
  let start = 0;
  for (let i = 0; i < block.length; i++) {
    const c = block[i];
    if (c === '"' || c === "'" || c === '`') i = pastString(block, i) - 1;
    else if (c === ',') {
      out.push(block.slice(start, i));
      start = i + 1;
    }
  }
  out.push(block.slice(start));
  return out.map((m) => m.trim()).filter((m) => m !== '');
}

export function metricSelectors(expr: string): MetricSelector[] {
  const found: MetricSelector[] = [];
  let i = 0;
  const nextNonSpace = (from: number) => {
    let j = from;
    while (/\s/.test(expr[j] ?? '')) j++;
    return j;
  };
  while (i < expr.length) {
    const c = expr[i] ?? '';
    if (c === '"' || c === "'" || c === '`') i = pastString(expr, i);
    else if (c === '[') i = pastClosing(expr, i, '[', ']');
    else if (c === '{') {
      // A selector with no metric name (`{__name__=...}`): reported as such, for the test to refuse.
      const end = pastClosing(expr, i, '{', '}');
      found.push({ metric: '', matchers: matchersOf(expr.slice(i + 1, end - 1)) });
      i = end;
    } else if (/[0-9.]/.test(c)) {
      // Numbers and durations (offset 5m): digits, then whatever letters and dots follow.
      while (/[0-9a-zA-Z_.+]/.test(expr[i] ?? '')) i++;
    } else if (c === '$') {
      i++;
      while (/[a-zA-Z0-9_]/.test(expr[i] ?? '')) i++;
    } else if (/[a-zA-Z_:]/.test(c)) {
      IDENTIFIER.lastIndex = i;
      const word = IDENTIFIER.exec(expr)?.[0] ?? c;
      i += word.length;
      const next = nextNonSpace(i);
      const lower = word.toLowerCase();
      if (LABEL_LISTS.has(lower)) {
        if (expr[next] === '(') i = pastClosing(expr, next, '(', ')');
      } else if (expr[next] === '(' || AGGREGATIONS.has(lower) || KEYWORDS.has(lower)) {
        // A call, an aggregation (whose `by (...)` may come first), or a keyword.
      } else if (expr[next] === '{') {
        const end = pastClosing(expr, next, '{', '}');
        found.push({ metric: word, matchers: matchersOf(expr.slice(next + 1, end - 1)) });
        i = end;
      } else {
        found.push({ metric: word, matchers: [] });
      }
    } else i++;
  }
  return found;
}
