/* ------------------------------------------------------------------------------------------ *
 * Long-term storage (spec/002 "Deletion" 2: audit logs exported before anything is deleted, a
 * compliance requirement). A file store under MATIH_DATA_DIR/archive by default; an object store
 * (S3, Azure Blob) fits the same verbs.
 * ------------------------------------------------------------------------------------------ */

export interface ArchivedObject {
  /** Where the object is, as the store names it (a path for the file store). */
  location: string;
  /** Hex SHA-256 of the stored bytes, as read back after writing. */
  sha256: string;
  bytes: number;
}

export interface ArchiveStore {
  /**
   * Stores `body` under `key` durably and returns its checksum as read back from storage. The
   * same key and body again is success (a resumed step); the same key with other bytes replaces
   * them only through a new write that is complete before it is visible.
   */
  put(key: string, body: Uint8Array): Promise<ArchivedObject>;
  /** Reads an object back and checks it against its recorded checksum; undefined when absent. */
  verify(key: string): Promise<ArchivedObject | undefined>;
}
