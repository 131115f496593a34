import type { ColumnType } from 'kysely';

/** Column shapes shared by the table declarations (schema.ts, schema-lifecycle.ts). */

/** JSON columns take a JSON string on write and come back parsed. */
export type Json<T> = ColumnType<T, string, string>;
export type CreatedAt = ColumnType<Date, Date | undefined, never>;
export type UpdatedAt = ColumnType<Date, Date | undefined, Date>;
