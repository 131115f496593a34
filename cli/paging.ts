import type { SeqPage } from './api-types.js';

/**
 * One page, or with `all` every page from `after` on, returned as one page document (its
 * nextCursor is the last page's, null at the end) so that --all --output json stays one document.
 */
export async function allPages<T>(all: boolean, after: number | undefined, fetchPage: (after: number | undefined) => Promise<SeqPage<T>>): Promise<SeqPage<T>> {
  let page = await fetchPage(after);
  const items = [...page.items];
  while (all && page.nextCursor !== null) {
    page = await fetchPage(page.nextCursor);
    items.push(...page.items);
  }
  return { items, nextCursor: page.nextCursor };
}
