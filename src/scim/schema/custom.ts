/**
 * Resource schemas with more extension schemas than the deployment's: an org's own User schema
 * is the core and enterprise schemas plus the extensions it declared (RFC 7643 §3.3
 * `schemaExtensions`, §8.7.2). Pure: the declarations come from the directory.
 */
import type { ResourceSchema, SchemaDef } from './types.ts';

/**
 * `base` with `extensions` appended (each optional: a resource without them stays valid). A
 * new object even with none, so that callers may key data of their own on it.
 */
export function withExtensions(base: ResourceSchema, extensions: readonly SchemaDef[]): ResourceSchema {
  return {
    type: {
      ...base.type,
      schemaExtensions: [
        ...base.type.schemaExtensions,
        ...extensions.map((e) => ({ schema: e.id, required: false })),
      ],
    },
    core: base.core,
    extensions: [...base.extensions, ...extensions],
  };
}
