/**
 * Fastify's own schema compilers (@fastify/ajv-compiler for the request schemas,
 * @fastify/fast-json-stringify-compiler for the response ones), shared by every app a process
 * builds. Fastify makes new ones for each instance, and compiling the management API's schemas
 * cost about 500 ms of CPU per app built, even in a process that had compiled the very same
 * schema objects before. The server builds one app; the test suite builds hundreds.
 *
 * Validators: ajv-compiler keeps one Ajv per set of shared schemas and options, and Ajv keeps
 * each schema object it compiled. Serializers: kept per schema object and options here.
 */
import AjvCompiler from '@fastify/ajv-compiler';
import { SerializerSelector } from '@fastify/fast-json-stringify-compiler';

type SerializerFactory = ReturnType<typeof SerializerSelector>;
type Serializer = ReturnType<ReturnType<SerializerFactory>>;

const serializerFactory = SerializerSelector();
const serializers = new WeakMap<object, Map<string, Serializer>>();

const buildSerializer: SerializerFactory = (externalSchemas, options) => {
  const compile = serializerFactory(externalSchemas, options);
  const key = JSON.stringify([externalSchemas ?? null, options ?? null]);
  return (route) => {
    const schema = route.schema as object;
    let compiled = serializers.get(schema);
    if (!compiled) {
      compiled = new Map();
      serializers.set(schema, compiled);
    }
    let serializer = compiled.get(key);
    if (!serializer) {
      serializer = compile(route);
      compiled.set(key, serializer);
    }
    return serializer;
  };
};

/**
 * Request validators. Querystrings, path parameters and headers arrive as text and are coerced
 * to their schema's types (Fastify's default, `coerceTypes: 'array'`); a JSON body is not: its
 * `"name": 42` is refused, where coercion made it the name "42".
 */
const validators = AjvCompiler();
const buildValidator: typeof validators = (externalSchemas, options) => {
  const coercing = validators(externalSchemas, options);
  const strict = validators(externalSchemas, {
    ...options,
    customOptions: { ...options?.customOptions, coerceTypes: false },
  } as typeof options);
  return (route) => (route.httpPart === 'body' ? strict : coercing)(route);
};

export const compilersFactory = { buildValidator, buildSerializer };
