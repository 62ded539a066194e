/**
 * The schemas this server implements, as RFC 7643 §8.7.1 publishes them: core User (§4.1),
 * enterprise User extension (§4.3) and Group (§4.2). Attribute characteristics live here, as
 * data; validation, projection and filtering read them instead of special-casing names.
 */
import type { AttributeDef, ResourceSchema, ResourceTypeDef, SchemaDef } from './types.ts';

export const CORE_USER = 'urn:ietf:params:scim:schemas:core:2.0:User';
export const CORE_GROUP = 'urn:ietf:params:scim:schemas:core:2.0:Group';
export const ENTERPRISE_USER = 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User';

type Partial2 = Partial<AttributeDef> & Pick<AttributeDef, 'name'>;

/** RFC 7643 §2.2 defaults: string, single, optional, case-insensitive, readWrite, default. */
export function defineAttribute(a: Partial2): AttributeDef {
  return {
    type: 'string',
    multiValued: false,
    description: '',
    required: false,
    caseExact: false,
    mutability: 'readWrite',
    returned: 'default',
    uniqueness: 'none',
    ...a,
  };
}

const attr = defineAttribute;

const str = (name: string, description: string, extra: Partial<AttributeDef> = {}) =>
  attr({ name, description, ...extra });

const typeAttr = (description: string, canonicalValues: string[]) =>
  str('type', description, { canonicalValues });

const primaryAttr = (description: string) => attr({ name: 'primary', type: 'boolean', description });

const displayAttr = (description: string) => str('display', description);

/** The multi-valued {value, display, type, primary} shape of §2.4 used by several attributes. */
function multiValuedStrings(
  name: string,
  description: string,
  types: string[],
  valueExtra: Partial<AttributeDef> = {},
): AttributeDef {
  return attr({
    name,
    type: 'complex',
    multiValued: true,
    description,
    subAttributes: [
      str('value', `${name} value.`, valueExtra),
      displayAttr('A human-readable name, primarily used for display purposes. READ-ONLY.'),
      typeAttr(`A label indicating the attribute's function.`, types),
      primaryAttr(
        `A Boolean value indicating the 'primary' or preferred attribute value for this attribute. The primary attribute value 'true' MUST appear no more than once.`,
      ),
    ],
  });
}

export const userSchema: SchemaDef = {
  id: CORE_USER,
  name: 'User',
  description: 'User Account',
  attributes: [
    str(
      'userName',
      `Unique identifier for the User, typically used by the user to directly authenticate to the service provider. Each User MUST include a non-empty userName value. This identifier MUST be unique across the service provider's entire set of Users. REQUIRED.`,
      { required: true, uniqueness: 'server' },
    ),
    attr({
      name: 'name',
      type: 'complex',
      description:
        "The components of the user's real name. Providers MAY return just the full name as a single string in the formatted sub-attribute, or they MAY return just the individual component attributes using the other sub-attributes, or they MAY return both.",
      subAttributes: [
        str(
          'formatted',
          'The full name, including all middle names, titles, and suffixes as appropriate, formatted for display.',
        ),
        str('familyName', 'The family name of the User, or last name in most Western languages.'),
        str('givenName', 'The given name of the User, or first name in most Western languages.'),
        str('middleName', 'The middle name(s) of the User.'),
        str('honorificPrefix', 'The honorific prefix(es) of the User, or title in most Western languages.'),
        str('honorificSuffix', 'The honorific suffix(es) of the User, or suffix in most Western languages.'),
      ],
    }),
    str('displayName', 'The name of the User, suitable for display to end-users.'),
    str('nickName', 'The casual way to address the user in real life.'),
    attr({
      name: 'profileUrl',
      type: 'reference',
      referenceTypes: ['external'],
      description: "A fully qualified URL pointing to a page representing the User's online profile.",
    }),
    str('title', 'The user\'s title, such as "Vice President."'),
    str('userType', 'Used to identify the relationship between the organization and the user.'),
    str('preferredLanguage', "Indicates the User's preferred written or spoken language."),
    str(
      'locale',
      "Used to indicate the User's default location for purposes of localizing items such as currency, date time format, or numerical representations.",
    ),
    str(
      'timezone',
      "The User's time zone in the 'Olson' time zone database format, e.g., 'America/Los_Angeles'.",
    ),
    attr({
      name: 'active',
      type: 'boolean',
      description: "A Boolean value indicating the User's administrative status.",
    }),
    str(
      'password',
      "The User's cleartext password. This attribute is intended to be used as a means to specify an initial password when creating a new User or to reset an existing User's password.",
      {
        mutability: 'writeOnly',
        returned: 'never',
      },
    ),
    multiValuedStrings('emails', 'Email addresses for the user.', ['work', 'home', 'other']),
    multiValuedStrings('phoneNumbers', 'Phone numbers for the User.', [
      'work',
      'home',
      'mobile',
      'fax',
      'pager',
      'other',
    ]),
    multiValuedStrings('ims', 'Instant messaging addresses for the User.', [
      'aim',
      'gtalk',
      'icq',
      'xmpp',
      'msn',
      'skype',
      'qq',
      'yahoo',
    ]),
    attr({
      name: 'photos',
      type: 'complex',
      multiValued: true,
      description: 'URLs of photos of the User.',
      subAttributes: [
        attr({
          name: 'value',
          type: 'reference',
          referenceTypes: ['external'],
          description: 'URL of a photo of the User.',
        }),
        displayAttr('A human-readable name, primarily used for display purposes. READ-ONLY.'),
        typeAttr("A label indicating the attribute's function, i.e., 'photo' or 'thumbnail'.", [
          'photo',
          'thumbnail',
        ]),
        primaryAttr(
          "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred photo or thumbnail.",
        ),
      ],
    }),
    attr({
      name: 'addresses',
      type: 'complex',
      multiValued: true,
      description: 'A physical mailing address for this User.',
      subAttributes: [
        str('formatted', 'The full mailing address, formatted for display or use with a mailing label.'),
        str(
          'streetAddress',
          'The full street address component, which may include house number, street name, P.O. box, and multi-line extended street address information.',
        ),
        str('locality', 'The city or locality component.'),
        str('region', 'The state or region component.'),
        str('postalCode', 'The zip code or postal code component.'),
        str('country', 'The country name component.'),
        typeAttr("A label indicating the attribute's function, e.g., 'work' or 'home'.", [
          'work',
          'home',
          'other',
        ]),
        primaryAttr(
          "A Boolean value indicating the 'primary' or preferred attribute value for this attribute, e.g., the preferred mailing address or primary email address.",
        ),
      ],
    }),
    attr({
      name: 'groups',
      type: 'complex',
      multiValued: true,
      mutability: 'readOnly',
      description:
        'A list of groups to which the user belongs, either through direct membership, through nested groups, or dynamically calculated.',
      subAttributes: [
        str('value', "The identifier of the User's group.", { mutability: 'readOnly' }),
        attr({
          name: '$ref',
          type: 'reference',
          referenceTypes: ['User', 'Group'],
          mutability: 'readOnly',
          description: "The URI of the corresponding 'Group' resource to which the user belongs.",
        }),
        str('display', 'A human-readable name, primarily used for display purposes. READ-ONLY.', {
          mutability: 'readOnly',
        }),
        str('type', "A label indicating the attribute's function, e.g., 'direct' or 'indirect'.", {
          canonicalValues: ['direct', 'indirect'],
          mutability: 'readOnly',
        }),
      ],
    }),
    multiValuedStrings(
      'entitlements',
      'A list of entitlements for the User that represent a thing the User has.',
      [],
    ),
    multiValuedStrings(
      'roles',
      "A list of roles for the User that collectively represent who the User is, e.g., 'Student', 'Faculty'.",
      [],
    ),
    attr({
      name: 'x509Certificates',
      type: 'complex',
      multiValued: true,
      description: 'A list of certificates issued to the User.',
      subAttributes: [
        attr({ name: 'value', type: 'binary', description: 'The value of an X.509 certificate.' }),
        displayAttr('A human-readable name, primarily used for display purposes. READ-ONLY.'),
        typeAttr("A label indicating the attribute's function.", []),
        primaryAttr(
          "A Boolean value indicating the 'primary' or preferred attribute value for this attribute. The primary attribute value 'true' MUST appear no more than once.",
        ),
      ],
    }),
  ],
};

export const enterpriseUserSchema: SchemaDef = {
  id: ENTERPRISE_USER,
  name: 'EnterpriseUser',
  description: 'Enterprise User',
  attributes: [
    str(
      'employeeNumber',
      'Numeric or alphanumeric identifier assigned to a person, typically based on order of hire or association with an organization.',
    ),
    str('costCenter', 'Identifies the name of a cost center.'),
    str('organization', 'Identifies the name of an organization.'),
    str('division', 'Identifies the name of a division.'),
    str('department', 'Identifies the name of a department.'),
    attr({
      name: 'manager',
      type: 'complex',
      description:
        "The User's manager. A complex type that optionally allows service providers to represent organizational hierarchy by referencing the 'id' attribute of another User.",
      subAttributes: [
        str('value', "The id of the SCIM resource representing the User's manager. REQUIRED."),
        attr({
          name: '$ref',
          type: 'reference',
          referenceTypes: ['User'],
          description: "The URI of the SCIM resource representing the User's manager. REQUIRED.",
        }),
        str('displayName', "The displayName of the User's manager. OPTIONAL and READ-ONLY.", {
          mutability: 'readOnly',
        }),
      ],
    }),
  ],
};

export const groupSchema: SchemaDef = {
  id: CORE_GROUP,
  name: 'Group',
  description: 'Group',
  attributes: [
    str('displayName', 'A human-readable name for the Group. REQUIRED.', { required: true }),
    attr({
      name: 'members',
      type: 'complex',
      multiValued: true,
      description: 'A list of members of the Group.',
      subAttributes: [
        str('value', 'Identifier of the member of this Group.', { mutability: 'immutable' }),
        attr({
          name: '$ref',
          type: 'reference',
          referenceTypes: ['User', 'Group'],
          mutability: 'immutable',
          description: 'The URI corresponding to a SCIM resource that is a member of this Group.',
        }),
        str('display', 'A human-readable name, primarily used for display purposes. READ-ONLY.', {
          mutability: 'readOnly',
        }),
        str('type', "A label indicating the type of resource, e.g., 'User' or 'Group'.", {
          canonicalValues: ['User', 'Group'],
          mutability: 'immutable',
        }),
      ],
    }),
  ],
};

/**
 * Attributes every resource has (RFC 7643 §3.1): id, externalId, meta. They belong to no
 * schema's `attributes` list in /Schemas output but are resolved like core attributes.
 */
export const commonAttributes: AttributeDef[] = [
  str('id', 'A unique identifier for a SCIM resource as defined by the service provider.', {
    caseExact: true,
    mutability: 'readOnly',
    returned: 'always',
    uniqueness: 'server',
  }),
  str(
    'externalId',
    'A String that is an identifier for the resource as defined by the provisioning client.',
    {
      caseExact: true,
    },
  ),
  attr({
    name: 'meta',
    type: 'complex',
    mutability: 'readOnly',
    description: 'A complex attribute containing resource metadata.',
    subAttributes: [
      str('resourceType', 'The name of the resource type of the resource.', {
        caseExact: true,
        mutability: 'readOnly',
      }),
      attr({
        name: 'created',
        type: 'dateTime',
        mutability: 'readOnly',
        description: 'The "DateTime" that the resource was added to the service provider.',
      }),
      attr({
        name: 'lastModified',
        type: 'dateTime',
        mutability: 'readOnly',
        description:
          'The most recent DateTime that the details of this resource were updated at the service provider.',
      }),
      attr({
        name: 'location',
        type: 'reference',
        referenceTypes: ['uri'],
        caseExact: true,
        mutability: 'readOnly',
        description: 'The URI of the resource being returned.',
      }),
      str('version', 'The version of the resource being returned.', {
        caseExact: true,
        mutability: 'readOnly',
      }),
    ],
  }),
];

export const userResourceType: ResourceTypeDef = {
  name: 'User',
  endpoint: '/Users',
  description: 'User Account',
  schema: CORE_USER,
  schemaExtensions: [{ schema: ENTERPRISE_USER, required: false }],
};

export const groupResourceType: ResourceTypeDef = {
  name: 'Group',
  endpoint: '/Groups',
  description: 'Group',
  schema: CORE_GROUP,
  schemaExtensions: [],
};

export const USER: ResourceSchema = {
  type: userResourceType,
  core: userSchema,
  extensions: [enterpriseUserSchema],
};

export const GROUP: ResourceSchema = {
  type: groupResourceType,
  core: groupSchema,
  extensions: [],
};

export const allSchemas: SchemaDef[] = [userSchema, enterpriseUserSchema, groupSchema];
export const allResourceSchemas: ResourceSchema[] = [USER, GROUP];
