/**
 * The domain's one error type. Each kind has a stable `code` that transports map to their own
 * answer (the management API's problem documents, docs/api.md; the CLI's message and exit
 * code); the message is written for the person who made the request.
 */

/** Every kind of DirectoryError; a literal union so that a `switch` narrows. */
export const DIRECTORY_ERROR_CODES = [
  'invalid_request',
  'not_found',
  'unknown_group',
  'conflict',
  'unauthorized',
  'idp_owned',
  'confirmation_required',
  'url_not_allowed',
] as const;

export type DirectoryErrorCode = (typeof DIRECTORY_ERROR_CODES)[number];

export class DirectoryError extends Error {
  override name = 'DirectoryError';

  constructor(
    message: string,
    readonly code: DirectoryErrorCode = 'invalid_request',
  ) {
    super(message);
  }

  static notFound(message: string): DirectoryError {
    return new DirectoryError(message, 'not_found');
  }

  static conflict(message: string): DirectoryError {
    return new DirectoryError(message, 'conflict');
  }
}
