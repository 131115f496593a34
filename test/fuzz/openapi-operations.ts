/**
 * The operations of an OpenAPI 3.1 document as the route fuzzer needs them: method, path
 * template, parameters by location, and the JSON body's schema.
 */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  enum?: unknown[];
  const?: unknown;
  format?: string;
  pattern?: string;
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  examples?: unknown[];
  default?: unknown;
  description?: string;
}

interface OpenApiParameter {
  name: string;
  in: 'path' | 'query' | 'header' | 'cookie';
  required?: boolean;
  schema?: JsonSchema;
  example?: unknown;
}

interface OpenApiOperation {
  parameters?: OpenApiParameter[];
  requestBody?: { required?: boolean; content?: Record<string, { schema?: JsonSchema }> };
}

export interface OpenApiDocument {
  paths: Record<string, Record<string, OpenApiOperation>>;
  components?: { schemas?: Record<string, JsonSchema> };
}

export interface Parameter {
  name: string;
  required: boolean;
  schema: JsonSchema;
  example?: unknown;
}

export type ServerName = 'app' | 'infra';

export interface Operation {
  server: ServerName;
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  /** The OpenAPI path template, e.g. /api/v1/tenants/{id}. */
  path: string;
  pathParams: Parameter[];
  query: Parameter[];
  headers: Parameter[];
  /** The JSON body's schema, when the operation takes one. */
  body: JsonSchema | undefined;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** Every operation of `doc`, in document order, with `$ref`s into components resolved. */
export function operationsOf(doc: OpenApiDocument, server: ServerName): Operation[] {
  const resolve = (schema: JsonSchema | undefined): JsonSchema => resolveRefs(schema ?? {}, doc, 0);
  const operations: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      const op = item[method];
      if (!op) continue;
      const params = (where: OpenApiParameter['in']) =>
        (op.parameters ?? [])
          .filter((p) => p.in === where)
          .map((p) => ({ name: p.name, required: p.required ?? false, schema: resolve(p.schema), ...(p.example === undefined ? {} : { example: p.example }) }));
      const json = op.requestBody?.content?.['application/json']?.schema;
      operations.push({
        server,
        method: method.toUpperCase() as Operation['method'],
        path,
        pathParams: params('path'),
        query: params('query'),
        headers: params('header'),
        body: json ? resolve(json) : undefined,
      });
    }
  }
  return operations;
}

function resolveRefs(schema: JsonSchema, doc: OpenApiDocument, depth: number): JsonSchema {
  if (depth > 20) return schema;
  if (schema.$ref) {
    const name = schema.$ref.replace(/^#\/components\/schemas\//, '');
    const target = doc.components?.schemas?.[name];
    return target ? resolveRefs(target, doc, depth + 1) : {};
  }
  const out: JsonSchema = { ...schema };
  if (schema.properties) out.properties = Object.fromEntries(Object.entries(schema.properties).map(([k, v]) => [k, resolveRefs(v, doc, depth + 1)]));
  if (schema.items) out.items = resolveRefs(schema.items, doc, depth + 1);
  if (typeof schema.additionalProperties === 'object') out.additionalProperties = resolveRefs(schema.additionalProperties, doc, depth + 1);
  for (const key of ['anyOf', 'oneOf', 'allOf'] as const) {
    const list = schema[key];
    if (list) out[key] = list.map((s) => resolveRefs(s, doc, depth + 1));
  }
  return out;
}

/** The schema's types, `type: [..]` and `anyOf` branches flattened. */
export function typesOf(schema: JsonSchema): string[] {
  if (schema.anyOf ?? schema.oneOf) return [...new Set((schema.anyOf ?? schema.oneOf ?? []).flatMap(typesOf))];
  if (Array.isArray(schema.type)) return schema.type;
  if (schema.type) return [schema.type];
  if (schema.properties) return ['object'];
  if (schema.enum) return [...new Set(schema.enum.map((v) => (v === null ? 'null' : typeof v)))];
  return [];
}
