/**
 * What commands print: aligned tables for people, the API's JSON document for scripts.
 * In JSON mode stdout carries exactly one document and nothing else; notes go to stderr.
 */

export type OutputFormat = 'table' | 'json';
export const OUTPUT_FORMATS: readonly OutputFormat[] = ['table', 'json'];

export interface Io {
  out(text: string): void;
  err(text: string): void;
  readonly stdoutIsTTY: boolean;
  readonly stdinIsTTY: boolean;
  readonly env: Readonly<Record<string, string | undefined>>;
  /** One line typed by the user, or undefined at end of input. */
  readLine(prompt: string): Promise<string | undefined>;
}

export interface Column<T> {
  header: string;
  value: (row: T) => unknown;
}

/** A cell as text: nothing is "-", objects are compact JSON, times stay ISO (sortable, unambiguous). */
export function cell(value: unknown): string {
  if (value === null || value === undefined || value === '') return '-';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}

export function table<T>(columns: readonly Column<T>[], rows: readonly T[]): string {
  const grid = [columns.map((c) => c.header), ...rows.map((r) => columns.map((c) => cell(c.value(r))))];
  const widths = columns.map((_, i) => Math.max(...grid.map((line) => line[i]!.length)));
  return grid.map((line) => line.map((text, i) => (i === line.length - 1 ? text : text.padEnd(widths[i]!))).join('  ')).join('\n') + '\n';
}

/** A record as two columns, for `get`-like commands. */
export function keyValues(pairs: readonly (readonly [string, unknown])[]): string {
  const width = Math.max(...pairs.map(([k]) => k.length));
  return pairs.map(([k, v]) => `${k.padEnd(width)}  ${cell(v)}`).join('\n') + '\n';
}

export function jsonDocument(document: unknown): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

/** Prints the document as JSON, or as the table `render` makes of it. */
export function emit<T>(io: Io, format: OutputFormat, document: T, render: (document: T) => string): void {
  io.out(format === 'json' ? jsonDocument(document) : render(document));
}
