/** JSON request bodies, parsed alike for the SCIM routes and the management API. */
import sjson from 'secure-json-parse';

/** Whether any string (key or value) in a parsed JSON body contains U+0000; iterative, so any depth is fine. */
function hasNul(root: unknown): boolean {
  const stack = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (typeof v === 'string') {
      if (v.includes('\u0000')) return true;
    } else if (Array.isArray(v)) {
      for (const x of v) stack.push(x);
    } else if (typeof v === 'object' && v !== null) {
      for (const [k, x] of Object.entries(v)) {
        if (k.includes('\u0000')) return true;
        stack.push(x);
      }
    }
  }
  return false;
}

/**
 * A content-type parser for JSON bodies: an empty body is `undefined`; `__proto__` and
 * `constructor` keys are dropped; invalid JSON and strings holding U+0000 (which PostgreSQL
 * cannot store; refused on both dialects alike) become the caller's own errors.
 */
export function jsonBodyParser(errors: {
  syntax: (message: string) => Error;
  nul: () => Error;
}): (request: unknown, body: string | Buffer, done: (error: Error | null, value?: unknown) => void) => void {
  return (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    let value: unknown;
    try {
      value = sjson.parse(text, undefined, { protoAction: 'remove', constructorAction: 'remove' });
    } catch (error) {
      return done(errors.syntax((error as Error).message), undefined);
    }
    if (text.includes('\\u0000') && hasNul(value)) return done(errors.nul(), undefined);
    done(null, value);
  };
}
