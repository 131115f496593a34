/* ------------------------------------------------------------------------------------------ *
 * Long-term storage (spec/002 "Deletion" 2: audit logs exported before anything is deleted, a
 * compliance requirement). MATIH_ARCHIVE_STORE picks one: the control-plane database (the default),
 * a directory (files and `.sha256` beside them), or an S3 bucket (the checksum in the object's
 * metadata). Each keeps the checksum with the bytes and recomputes it on `verify`. Keys are safe
 * relative paths (domain/archive-keys.ts): the directory and S3 stores refuse others permanently.
 * ------------------------------------------------------------------------------------------ */

export interface ArchivedObject {
  /** Where the object is, as the store names it: a path, `database:archive_objects/{key}`, `s3://{bucket}/{prefix}/{key}`. */
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
  /**
   * Reads an object back and checks it against its recorded checksum; undefined when absent or
   * when the bytes no longer match (or the checksum is gone). Failing to reach the storage is a
   * DriverError instead (retryable when it may answer next time), never undefined.
   */
  verify(key: string): Promise<ArchivedObject | undefined>;
}
