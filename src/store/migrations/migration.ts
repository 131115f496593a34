export interface Migration {
  version: number;
  name: string;
  /** A script of one or more statements, run in one transaction. */
  sql: string;
  /**
   * Set only on a contract step of expand/contract (docs/operations.md, "Upgrade"): a migration
   * allowed to drop, rename or tighten what the release before it no longer uses. Says what it
   * removes and which release stopped using it. Without it, the migration lint
   * (test/store/release-compatibility.test.ts) refuses destructive DDL in any migration newer
   * than the last release.
   */
  contract?: string;
}
