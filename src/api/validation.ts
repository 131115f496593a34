import { Ajv } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

// ajv-formats is CommonJS; under NodeNext its default import is the module object.
const addFormats = addFormatsModule as unknown as typeof addFormatsModule.default;

/**
 * Two validators: bodies are checked exactly as sent (no type coercion, no silently dropped
 * fields: an unknown field is an error), while query strings and path parameters, which are
 * text by nature, are coerced to the schema's types.
 */
export function validatorCompiler(): FastifySchemaCompiler<unknown> {
  const strict = new Ajv({ allErrors: true, coerceTypes: false, removeAdditional: false, useDefaults: true, strict: false });
  const coercing = new Ajv({ allErrors: true, coerceTypes: 'array', removeAdditional: false, useDefaults: true, strict: false });
  addFormats(strict);
  addFormats(coercing);
  return ({ schema, httpPart }) => {
    if (httpPart !== 'body') return coercing.compile(schema as object);
    const validate = strict.compile(schema as object);
    // No body at all is checked as an empty object: the caller hears which fields are required
    // (or nothing, when none is), not that "(root) must be object".
    const validateBody = (data: unknown): boolean => {
      const ok = validate(data ?? {});
      validateBody.errors = validate.errors;
      return ok;
    };
    validateBody.errors = validate.errors;
    return validateBody;
  };
}
