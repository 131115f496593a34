import { Type } from '@sinclair/typebox';
import { AUDIT_KINDS } from '../../store/engine/query-audit.js';
import { DateTime } from './common.js';

const NullableString = Type.Union([Type.String(), Type.Null()]);

/** The largest sequence number the seq column (a PostgreSQL integer) can hold. */
const MAX_SEQ = 2_147_483_647;

export const AuditLogEntrySchema = Type.Object({
  seq: Type.Integer({ description: "Position in the tenant's history: 1, 2, 3..." }),
  time: DateTime,
  kind: Type.String({ description: `One of ${AUDIT_KINDS.join(', ')}` }),
  trigger: Type.String({ description: 'What happened, e.g. job.started, step.completed, job.retried' }),
  fromState: NullableString,
  toState: NullableString,
  step: NullableString,
  jobId: NullableString,
  actor: Type.String({ description: 'Who did it: bootstrap, api-key:<id>, or the engine worker that ran the job' }),
  details: Type.Record(Type.String(), Type.Unknown()),
});

// Arrays so that a repeated parameter arrives whole; a single one is coerced to a list of one.
const list = (description: string) => Type.Optional(Type.Array(Type.String({ maxLength: 1000 }), { maxItems: 50, description }));

export const AuditQuerySchema = Type.Object(
  {
    from: Type.Optional(Type.String({ format: 'date-time', description: 'RFC 3339; entries at or after this time' })),
    to: Type.Optional(Type.String({ format: 'date-time', description: 'RFC 3339; entries before this time' })),
    kind: list(`Repeatable or comma-separated, any case: ${AUDIT_KINDS.join(', ')}`),
    trigger: list('Repeatable or comma-separated triggers, e.g. step.failed,job.retried'),
    after: Type.Integer({ minimum: 0, maximum: MAX_SEQ, default: 0, description: 'nextCursor of the previous page: entries after this sequence number' }),
    limit: Type.Integer({ minimum: 1, maximum: 500, default: 100 }),
  },
  { additionalProperties: false },
);

export const AuditPageSchema = Type.Object({
  items: Type.Array(AuditLogEntrySchema),
  nextCursor: Type.Union([Type.Integer(), Type.Null()], { description: 'Pass as after for the next page; null on the last' }),
});
