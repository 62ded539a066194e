/** The errors the SDK throws. */
import type { Problem, ProblemCode } from './types.ts';

/**
 * The API answered with an error: its RFC 9457 problem document, with the stable `code` to
 * branch on (docs/api.md "Errors"). A non-problem answer (a proxy's 502 page, say) has the
 * code `internal_error` when the status is 5xx, else `invalid_request`.
 */
export class ScimitarApiError extends Error {
  override name = 'ScimitarApiError';
  readonly status: number;
  readonly code: ProblemCode;
  readonly detail: string;
  /** With `validation_failed`: where the request is wrong. */
  readonly errors: { path: string; message: string }[];
  /** Finds the request in the server's log. */
  readonly requestId: string | undefined;
  readonly problem: Problem | undefined;

  constructor(status: number, problem: Problem | undefined, fallbackDetail?: string) {
    const detail = problem?.detail ?? fallbackDetail ?? `HTTP ${status}`;
    super(`${status} ${problem?.code ?? ''}: ${detail}`.replace(' : ', ': '));
    this.status = status;
    this.code = problem?.code ?? (status >= 500 ? 'internal_error' : 'invalid_request');
    this.detail = detail;
    this.errors = problem?.errors ?? [];
    this.requestId = problem?.requestId;
    this.problem = problem;
  }
}
