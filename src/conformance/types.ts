/**
 * The shape of a conformance scenario: an ordered list of named HTTP steps, each exactly as one
 * identity provider sends it (see docs/idp-notes.md), with the statuses and body
 * checks the IdP (or RFC 7644) needs. Scenarios are data; the runner (runner.ts) plays them
 * against any SCIM base URL, and the same data drives the project's own test/idp suite.
 */

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Values captured during a run (ids, ETags, whole documents) and the per-run unique names.
 * Reading a value that an earlier step failed to capture throws: the runner then reports the
 * step as skipped, naming the step it depends on.
 */
export type Vars = Readonly<Record<string, unknown>>;

/** A JSON body as data; its strings may hold `{{var}}` templates. */
export type JsonTemplate =
  | string
  | number
  | boolean
  | null
  | JsonTemplate[]
  | { [key: string]: JsonTemplate };

/** A response as the checks see it. */
export interface StepResponse {
  status: number;
  headers: Record<string, string>;
  /** Parsed JSON, or the raw text when the body is not JSON, or undefined when empty. */
  body: unknown;
  text: string;
}

/** Returns undefined when satisfied, else the reason (one line, for a human). */
export type Check = (res: StepResponse, vars: Vars) => string | undefined;

export interface Step {
  /** Unique within the scenario; what the report prints and what `after` refers to. */
  name: string;
  method: HttpMethod;
  /**
   * Relative to the base URL (`/Users/{{userId}}`). Strings anywhere in path, query, headers and
   * body may hold `{{var}}`; a string that is exactly `{{var}}` becomes the value itself.
   */
  path: string;
  /** Query parameters, percent-encoded by the runner (spaces as %20, as IdPs send them). */
  query?: Record<string, string>;
  /** Added to (and overriding) the scenario's headers. */
  headers?: Record<string, string>;
  /** JSON body: data with templates, or built from the captured values. */
  body?: JsonTemplate | ((vars: Vars) => unknown);
  /** Statuses that pass. */
  status: readonly number[];
  checks?: readonly Check[];
  /** Values to keep for later steps, read from this step's response (only when the status passed). */
  capture?: Record<string, (res: StepResponse) => unknown>;
  /** Steps that must have passed for this one to mean anything (a read-back after an update). */
  after?: readonly string[];
}

export interface Scenario {
  /** CLI name: `--idp <idp>`. */
  idp: string;
  /** Human name: "Microsoft Entra ID". */
  title: string;
  /** Headers on every request of this IdP (User-Agent, Content-Type, Accept). */
  headers: Record<string, string>;
  /** Starting values: unique names for this run (`run` is a short random id). */
  vars: (run: string) => Record<string, unknown>;
  steps: readonly Step[];
}

/** A request as recorded for the report: never the Authorization header. */
export interface RecordedRequest {
  method: HttpMethod;
  /** Path and query relative to the base URL. */
  path: string;
  headers: Record<string, string>;
  body?: unknown;
}

export interface StepResult {
  name: string;
  passed: boolean;
  /** Set when a dependency failed: the step was not sent. */
  skipped?: boolean;
  /** Every reason it failed (status, each failing check, or the skip). */
  reasons: string[];
  request?: RecordedRequest;
  response?: StepResponse;
}

export interface CleanupResult {
  request: RecordedRequest;
  passed: boolean;
  reason?: string;
}

export interface ScenarioResult {
  idp: string;
  title: string;
  run: string;
  steps: StepResult[];
  /** Deletions of what the scenario created and did not delete itself. */
  cleanup: CleanupResult[];
  passed: number;
  failed: number;
  /** Set when the server refused the token (401): the scenario, and the run, stopped there. */
  refused?: string;
}
