/**
 * SCIM errors, after RFC 7644 §3.12. One class; one named constructor per scimType so that
 * call sites read like the RFC. `http/` alone turns a ScimError into a response body.
 */

/** RFC 7644 §3.12 Table 9 scimType values, plus the two added by RFC 9865 cursor paging. */
export type ScimType =
  | 'invalidFilter'
  | 'tooMany'
  | 'uniqueness'
  | 'mutability'
  | 'invalidSyntax'
  | 'invalidPath'
  | 'noTarget'
  | 'invalidValue'
  | 'invalidVers'
  | 'sensitive'
  | 'invalidCursor'
  | 'expiredCursor';

export class ScimError extends Error {
  readonly status: number;
  readonly scimType: ScimType | undefined;
  readonly detail: string;
  /** Extra response headers, e.g. WWW-Authenticate on 401 or Retry-After on 429. */
  readonly headers: Record<string, string>;

  constructor(
    status: number,
    scimType: ScimType | undefined,
    detail: string,
    headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'ScimError';
    this.status = status;
    this.scimType = scimType;
    this.detail = detail;
    this.headers = headers;
  }

  // 400s named by scimType (RFC 7644 §3.12 Table 9).
  static invalidFilter(detail: string) {
    return new ScimError(400, 'invalidFilter', detail);
  }
  static tooMany(detail: string) {
    return new ScimError(400, 'tooMany', detail);
  }
  static uniqueness(detail: string) {
    return new ScimError(409, 'uniqueness', detail);
  }
  static mutability(detail: string) {
    return new ScimError(400, 'mutability', detail);
  }
  static invalidSyntax(detail: string) {
    return new ScimError(400, 'invalidSyntax', detail);
  }
  static invalidPath(detail: string) {
    return new ScimError(400, 'invalidPath', detail);
  }
  static noTarget(detail: string) {
    return new ScimError(400, 'noTarget', detail);
  }
  static invalidValue(detail: string) {
    return new ScimError(400, 'invalidValue', detail);
  }
  static invalidVers(detail: string) {
    return new ScimError(400, 'invalidVers', detail);
  }
  static sensitive(detail: string) {
    return new ScimError(403, 'sensitive', detail);
  }
  static invalidCursor(detail: string) {
    return new ScimError(400, 'invalidCursor', detail);
  }
  static expiredCursor(detail: string) {
    return new ScimError(400, 'expiredCursor', detail);
  }

  // Status-only errors (no scimType).
  static unauthorized(detail = 'Authentication required: a valid bearer token for this organization.') {
    return new ScimError(401, undefined, detail, { 'WWW-Authenticate': 'Bearer realm="scim"' });
  }
  static forbidden(detail: string) {
    return new ScimError(403, undefined, detail);
  }
  static notFound(detail: string) {
    return new ScimError(404, undefined, detail);
  }
  static methodNotAllowed(detail: string, allow: string) {
    return new ScimError(405, undefined, detail, { Allow: allow });
  }
  static preconditionFailed(detail: string) {
    return new ScimError(412, undefined, detail);
  }
  static payloadTooLarge(detail: string) {
    return new ScimError(413, undefined, detail);
  }
  static unsupportedMediaType(detail: string) {
    return new ScimError(415, undefined, detail);
  }
  static tooManyRequests(detail: string, retryAfterSeconds: number) {
    return new ScimError(429, undefined, detail, { 'Retry-After': String(retryAfterSeconds) });
  }
  /** The request's time budget ran out and its work was stopped (REQUEST_TIMEOUT_MS). */
  static timedOut(detail: string) {
    return new ScimError(503, undefined, detail);
  }
  static notImplemented(detail: string) {
    return new ScimError(501, undefined, detail);
  }
  static internal(detail = 'Internal server error.') {
    return new ScimError(500, undefined, detail);
  }
}

/** Prefixes a detail with the PATCH operation index, so errors say where they happened. */
export function atOperation(index: number, error: ScimError): ScimError {
  return new ScimError(error.status, error.scimType, `Operations[${index}]: ${error.detail}`, error.headers);
}
