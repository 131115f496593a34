import type { Page } from 'playwright-core';

/** The page's DOM, as far as the check reads it (the test program is typed without the DOM library). */
interface PageElement {
  tagName: string;
  id: string;
  textContent: string | null;
  labels?: ArrayLike<PageElement> | null;
  getAttribute(name: string): string | null;
  getBoundingClientRect(): { width: number; height: number };
  closest(selector: string): PageElement | null;
}

interface PageDocument {
  documentElement: { lang: string };
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  getElementById(id: string): PageElement | null;
}

/**
 * A basic accessibility check, without axe: every form control has a label, every button and
 * link a name, the page a language and exactly one h1, and no id is used twice. Returns what is
 * wrong, one line each; [] when nothing is.
 */
export async function a11yProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const document = (globalThis as unknown as { document: PageDocument }).document;
    const all = (selector: string) => Array.from(document.querySelectorAll(selector));
    const problems: string[] = [];
    const visible = (el: PageElement) => {
      const box = el.getBoundingClientRect();
      return box.width > 0 || box.height > 0 || el.closest('dialog[open]') !== null;
    };
    const describe = (el: PageElement) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.getAttribute('name') ? `[name=${el.getAttribute('name')}]` : ''}`;
    const labelled = (el: PageElement) => {
      if (el.getAttribute('aria-label')?.trim()) return true;
      const ids = el.getAttribute('aria-labelledby')?.split(/\s+/) ?? [];
      if (ids.some((id) => document.getElementById(id)?.textContent?.trim())) return true;
      return Array.from(el.labels ?? []).some((label) => label.textContent?.trim());
    };

    if (!document.documentElement.lang) problems.push('html has no lang');
    const h1s = all('h1').filter(visible);
    if (h1s.length !== 1) problems.push(`${h1s.length} visible h1 elements`);
    for (const el of all('input:not([type=hidden]), select, textarea, progress')) {
      if (visible(el) && !labelled(el)) problems.push(`${describe(el)} has no label`);
    }
    for (const el of all('button, a[href], [role=button]')) {
      if (!visible(el)) continue;
      const name = el.getAttribute('aria-label')?.trim() || el.textContent?.trim() || el.getAttribute('title')?.trim();
      if (!name) problems.push(`${describe(el)} has no accessible name`);
    }
    const seen = new Map<string, number>();
    for (const el of all('[id]')) seen.set(el.id, (seen.get(el.id) ?? 0) + 1);
    for (const [id, n] of seen) if (n > 1) problems.push(`id "${id}" used ${n} times`);
    return problems;
  });
}
