/**
 * Rendering stored resources as SCIM JSON, streamed: a Group's members are read and written a
 * page at a time, so a group of 100,000 members never sits whole in memory, and a list of
 * groups streams the same way. Users get their computed `groups` (RFC 7643 §4.1.2), which their
 * `meta.version` covers (resourceEtag).
 */
import { Readable } from 'node:stream';
import type { Directory } from '../directory/directory.ts';
import { type Member, type Resource, resourceEtag } from '../directory/resources.ts';
import type { GroupEntry } from '../scim/etag.ts';
import { assembleResource } from '../scim/resource.ts';
import { projectResource } from '../scim/schema/project.ts';
import type { ResourceSchema } from '../scim/schema/types.ts';

export interface Projection {
  attributes?: string[] | undefined;
  excludedAttributes?: string[] | undefined;
}

export interface RenderContext {
  directory: Directory;
  /** `https://host/scim/v2/<org>` */
  base: string;
}

/** Stands in for the member list while projecting, so projection decides which sub-attributes stay. */
const MEMBERS_MARK = '\u0000members\u0000';

function sample(base: string) {
  return { value: MEMBERS_MARK, $ref: `${base}/Users/${MEMBERS_MARK}`, display: MEMBERS_MARK, type: 'User' };
}

function memberJson(m: Member, base: string, keep: Set<string>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  if (keep.has('value')) out.value = m.id;
  if (keep.has('$ref')) out.$ref = `${base}${m.type === 'Group' ? '/Groups/' : '/Users/'}${m.id}`;
  if (keep.has('display') && m.display !== null) out.display = m.display;
  if (keep.has('type')) out.type = m.type;
  return out;
}

function groupsJson(groups: readonly GroupEntry[], base: string) {
  return groups.map((g) => {
    const out: Record<string, unknown> = { value: g.id, $ref: `${base}/Groups/${g.id}` };
    if (g.display !== null) out.display = g.display;
    out.type = g.type;
    return out;
  });
}

/** Whether a projection can return an attribute at all (to skip computing what is dropped). */
function mayReturn(name: string, p: Projection): boolean {
  const lower = name.toLowerCase();
  const hit = (list: string[] | undefined) =>
    list?.some((a) => {
      const x = a.toLowerCase();
      return x === lower || x.startsWith(`${lower}.`) || x.endsWith(`:${lower}`) || x.includes(`:${lower}.`);
    }) ?? false;
  if (p.attributes && !hit(p.attributes)) return false;
  return !p.excludedAttributes?.some(
    (a) => a.toLowerCase() === lower || a.toLowerCase().endsWith(`:${lower}`),
  );
}

function full(ctx: RenderContext, rs: ResourceSchema, record: Resource): Record<string, unknown> {
  return assembleResource(record.doc, rs, {
    id: record.id,
    created: record.created,
    lastModified: record.lastModified,
    version: resourceEtag(record),
    location: `${ctx.base}${rs.type.endpoint}/${record.id}`,
  });
}

/** One resource as chunks of JSON text; a Group's members are read a page at a time. */
async function* renderOne(
  ctx: RenderContext,
  rs: ResourceSchema,
  record: Resource,
  projection: Projection,
): AsyncGenerator<string> {
  const resource = full(ctx, rs, record);
  if (record.groups && record.groups.length > 0) resource.groups = groupsJson(record.groups, ctx.base);
  if (rs.type.name !== 'Group' || !mayReturn('members', projection)) {
    yield JSON.stringify(projectResource(resource, rs, projection));
    return;
  }
  // Project with one marked member to learn which member sub-attributes the response keeps,
  // then write the real members where the mark is.
  resource.members = [sample(ctx.base)];
  const projected = projectResource(resource, rs, projection);
  const marked = Array.isArray(projected.members)
    ? (projected.members[0] as Record<string, unknown>)
    : undefined;
  if (!marked) {
    yield JSON.stringify(projected);
    return;
  }
  const keep = new Set(Object.keys(marked));
  projected.members = MEMBERS_MARK;
  const text = JSON.stringify(projected);
  const mark = JSON.stringify(MEMBERS_MARK);
  const cut = text.indexOf(mark);
  let first = true;
  let chunk = `${text.slice(0, cut)}[`;
  for await (const page of ctx.directory.resources.members(record)) {
    for (const m of page) {
      chunk += (first ? '' : ',') + JSON.stringify(memberJson(m, ctx.base, keep));
      first = false;
    }
    yield chunk;
    chunk = '';
  }
  // No members: an empty multi-valued attribute is unassigned (RFC 7643 §2.4), so omit it.
  if (first) yield JSON.stringify({ ...projected, members: undefined });
  else yield `]${text.slice(cut + mark.length)}`;
}

/**
 * The JSON text of resources, comma-separated, as chunks. Users' groups not read yet are read
 * for the whole batch in one query, whatever the projection: `meta.version` covers them. A
 * user read with its membership flag that is in no group needs no query. Groups' first members,
 * when the projection may return them, are read for the whole batch too.
 */
export async function* renderResources(
  ctx: RenderContext,
  schemas: Schemas,
  records: Resource[],
  projection: Projection,
): AsyncGenerator<string> {
  const withGroups = await ctx.directory.resources.withGroups(records);
  // A page of groups whose members the response shows reads their first members in one query.
  const ready = mayReturn('members', projection)
    ? await ctx.directory.resources.withFirstMembers(withGroups)
    : withGroups;
  let index = 0;
  for (const record of ready) {
    if (index++ > 0) yield ',';
    yield* renderOne(ctx, schemaOf(schemas, record), record, projection);
  }
}

/** The schema of the resources rendered, or of each type when a list mixes types (root search). */
export type Schemas = ResourceSchema | ReadonlyMap<string, ResourceSchema>;

function schemaOf(schemas: Schemas, record: Resource): ResourceSchema {
  if (!(schemas instanceof Map)) return schemas as ResourceSchema;
  const rs = schemas.get(record.type);
  if (!rs) throw new Error(`No schema for resource type ${record.type}`);
  return rs;
}

/** Bodies up to this size are sent whole; larger ones (big groups, long lists) are streamed. */
const BUFFER_LIMIT = 256 * 1024;

/**
 * The text of `chunks` as one string when it is small, else a stream that starts with what was
 * read so far. One write per small response: a response written in several small pieces meets
 * Nagle's algorithm and delayed ACKs and waits tens of milliseconds on the network.
 */
async function bodyOf(chunks: AsyncGenerator<string>): Promise<string | Readable> {
  let text = '';
  for (;;) {
    const next = await chunks.next();
    if (next.done) return text;
    text += next.value;
    if (text.length > BUFFER_LIMIT) {
      const head = text;
      async function* rest() {
        yield head;
        yield* chunks;
      }
      return Readable.from(rest(), { objectMode: false });
    }
  }
}

/**
 * One resource as JSON text when nothing needs reading for it: not a Group (whose members are
 * read as it is rendered), and not a user whose groups are still unread. The same text
 * renderOne writes, without the generator and promises a streamed body goes through; else
 * undefined (use resourceBody).
 */
export function resourceText(
  ctx: RenderContext,
  rs: ResourceSchema,
  record: Resource,
  projection: Projection,
): string | undefined {
  if (rs.type.name === 'Group' || !renderedAsIs(record)) return undefined;
  return plainText(ctx, rs, record, projection);
}

/** Whether a resource renders with nothing more to read: a user whose groups are known. */
function renderedAsIs(record: Resource): boolean {
  return record.type === 'User' && (record.inGroups === false || record.groups !== undefined);
}

/** renderOne's text of a resource that is not a group. */
function plainText(ctx: RenderContext, rs: ResourceSchema, record: Resource, projection: Projection): string {
  const resource = full(ctx, rs, record);
  if (record.groups && record.groups.length > 0) resource.groups = groupsJson(record.groups, ctx.base);
  return JSON.stringify(projectResource(resource, rs, projection));
}

/** One resource as JSON text, or a stream of it for a large group. */
export function resourceBody(
  ctx: RenderContext,
  rs: ResourceSchema,
  record: Resource,
  projection: Projection,
): Promise<string | Readable> {
  return bodyOf(renderResources(ctx, rs, [record], projection));
}

/**
 * listBody's text when no resource of the page needs anything read (users whose groups are
 * known: an IdP's `userName eq` lookup, a page of users in no group), at once; else undefined.
 */
export function listText(
  ctx: RenderContext,
  rs: Schemas,
  head: Record<string, unknown>,
  records: Resource[],
  projection: Projection,
): string | undefined {
  for (const record of records) if (!renderedAsIs(record)) return undefined;
  const text = JSON.stringify({ ...head, Resources: [] });
  let out = `${text.slice(0, -'[]}'.length)}[`;
  for (let i = 0; i < records.length; i++) {
    const record = records[i] as Resource;
    if (i > 0) out += ',';
    out += plainText(ctx, schemaOf(rs, record), record, projection);
  }
  return `${out}]}`;
}

/** A ListResponse (RFC 7644 §3.4.2), streamed when large. `head` holds every field but Resources. */
export function listBody(
  ctx: RenderContext,
  rs: Schemas,
  head: Record<string, unknown>,
  records: Resource[],
  projection: Projection,
): Promise<string | Readable> {
  async function* chunks() {
    const text = JSON.stringify({ ...head, Resources: [] });
    yield `${text.slice(0, -'[]}'.length)}[`;
    yield* renderResources(ctx, rs, records, projection);
    yield ']}';
  }
  return bodyOf(chunks());
}
