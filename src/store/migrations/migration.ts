export interface Migration {
  version: number;
  name: string;
  /** A script of one or more statements, run in one transaction. */
  sql: string;
}
