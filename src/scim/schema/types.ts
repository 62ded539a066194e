/** Attribute and schema definitions, RFC 7643 §2.2, §7. Plain data; wire-shaped. */

export type AttributeType =
  | 'string'
  | 'boolean'
  | 'decimal'
  | 'integer'
  | 'dateTime'
  | 'reference'
  | 'binary'
  | 'complex';

export type Mutability = 'readOnly' | 'readWrite' | 'immutable' | 'writeOnly';
export type Returned = 'always' | 'never' | 'default' | 'request';
export type Uniqueness = 'none' | 'server' | 'global';

export interface AttributeDef {
  name: string;
  type: AttributeType;
  multiValued: boolean;
  description: string;
  required: boolean;
  caseExact: boolean;
  mutability: Mutability;
  returned: Returned;
  uniqueness: Uniqueness;
  canonicalValues?: string[];
  referenceTypes?: string[];
  subAttributes?: AttributeDef[];
}

export interface SchemaDef {
  id: string;
  name: string;
  description: string;
  attributes: AttributeDef[];
}

export interface ResourceTypeDef {
  /** "User" or "Group": also the value of meta.resourceType. */
  name: 'User' | 'Group';
  endpoint: '/Users' | '/Groups';
  description: string;
  /** Core schema URN. */
  schema: string;
  schemaExtensions: { schema: string; required: boolean }[];
}

/** A resource type with its schema definitions resolved: what the pure core works against. */
export interface ResourceSchema {
  type: ResourceTypeDef;
  core: SchemaDef;
  extensions: SchemaDef[];
}

/**
 * An attribute path resolved against a ResourceSchema (RFC 7644 §3.10 attribute notation).
 * Names come back in their canonical case whatever the input's case.
 */
export interface ResolvedAttribute {
  /** Schema URN that defines the top-level attribute. */
  schema: string;
  /** True when `schema` is an extension (the value lives under the URN key in a document). */
  extension: boolean;
  /** The top-level attribute. */
  attribute: AttributeDef;
  /** The sub-attribute, when the path names one (e.g. `name.givenName`). */
  subAttribute?: AttributeDef;
  /**
   * Canonical dotted path used for indexing and filtering: `userName`, `emails.value`,
   * `urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value`.
   */
  path: string;
}
