/**
 * Plays scenarios against a SCIM base URL over HTTP (global fetch): each step as the IdP sends
 * it, checked against what the IdP needs. A failing step does not stop the run; only the steps
 * that need what it would have produced are skipped (and count as failed). Whatever the
 * scenario created and did not delete is deleted at the end, pass or fail.
 */
import { randomBytes } from 'node:crypto';
import { fill } from './template.ts';
import type {
  CleanupResult,
  HttpMethod,
  RecordedRequest,
  Scenario,
  ScenarioResult,
  Step,
  StepResponse,
  StepResult,
  Vars,
} from './types.ts';

export interface RunOptions {
  /** The SCIM base URL, e.g. https://scim.example.com/scim/v2/acme. */
  base: string;
  /** Bearer token: sent, never recorded. */
  token: string;
  /** Per request; default 15 s. */
  timeoutMs?: number;
  /** Called after each step (progress output). */
  onStep?: (scenario: Scenario, result: StepResult) => void;
  /** Leave what the scenario created (a demo directory, the setup page's browser test); default false. */
  keep?: boolean;
}

export interface RunSummary {
  scenarios: ScenarioResult[];
  passed: number;
  failed: number;
  /** Why the run stopped before its end: the server refused the token. */
  refused?: string;
}

/**
 * A 401 means every other step would get one too (RFC 6750 §3.1 invalid_token): the run stops
 * at the first, with one message instead of a page of identical failures.
 */
function refusal(options: RunOptions, response: StepResponse | undefined): string | undefined {
  if (response?.status !== 401) return undefined;
  return (
    `the server refused the token (401${errorDetail(response)}) at ${options.base}: check --token, and that ` +
    "it is a live token of this base URL's organization (a revoked, expired or other organization's token is refused alike). No other request was sent."
  );
}

/** Thrown when a step reads a value an earlier step did not capture. */
class MissingValue extends Error {
  constructor(readonly step: string) {
    super(`depends on step "${step}"`);
  }
}

const COLLECTION = /^\/(Users|Groups)\/?$/;
const ITEM = /^\/(Users|Groups)\/([^/?]+)$/;

interface Created {
  endpoint: 'Users' | 'Groups';
  id?: string;
  /** userName / displayName at creation: found by filter if the server sent no id back. */
  name?: string;
}

function encodeQuery(query: Record<string, string>): string {
  const pairs = Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`);
  return pairs.length > 0 ? `?${pairs.join('&')}` : '';
}

function joinUrl(base: string, path: string): string {
  return `${base.replace(/\/+$/, '')}${path.startsWith('/') ? path : `/${path}`}`;
}

async function send(
  options: RunOptions,
  request: RecordedRequest,
): Promise<{ response?: StepResponse; error?: string }> {
  const headers: Record<string, string> = { ...request.headers, authorization: `Bearer ${options.token}` };
  const init: RequestInit = {
    method: request.method,
    headers,
    signal: AbortSignal.timeout(options.timeoutMs ?? 15_000),
    redirect: 'manual',
  };
  if (request.body !== undefined) init.body = JSON.stringify(request.body);
  try {
    const res = await fetch(joinUrl(options.base, request.path), init);
    const text = await res.text();
    let body: unknown;
    if (text.trim() !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    const responseHeaders: Record<string, string> = {};
    res.headers.forEach((value, key) => {
      responseHeaders[key.toLowerCase()] = value;
    });
    return { response: { status: res.status, headers: responseHeaders, body, text } };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { error: `request failed: ${cause?.code ?? cause?.message ?? (error as Error).message}` };
  }
}

function errorDetail(res: StepResponse): string {
  const b = res.body as { detail?: unknown; scimType?: unknown } | undefined;
  if (b && typeof b === 'object') {
    const parts = [b.scimType, b.detail].filter((x) => typeof x === 'string');
    if (parts.length > 0) return `: ${parts.join(': ')}`;
  }
  const text = res.text.trim();
  return text ? `: ${text.length > 200 ? `${text.slice(0, 200)}…` : text}` : '';
}

function headersFor(scenario: Scenario, step: Step, hasBody: boolean): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries({ ...scenario.headers, ...step.headers })) headers[k.toLowerCase()] = v;
  if (!hasBody) delete headers['content-type'];
  return headers;
}

/** A scenario's own mistakes (not the server's): duplicate names, `after` naming no earlier step. */
export function checkScenario(scenario: Scenario): void {
  const seen = new Set<string>();
  for (const step of scenario.steps) {
    for (const name of step.after ?? []) {
      if (!seen.has(name))
        throw new Error(`Scenario ${scenario.idp}: "${step.name}" is after unknown step "${name}"`);
    }
    if (seen.has(step.name)) throw new Error(`Scenario ${scenario.idp}: two steps named "${step.name}"`);
    seen.add(step.name);
  }
}

/** Runs one scenario, then its cleanup. */
export async function runScenario(scenario: Scenario, options: RunOptions): Promise<ScenarioResult> {
  checkScenario(scenario);
  const run = randomBytes(4).toString('hex');
  const values: Record<string, unknown> = { run, ...scenario.vars(run) };
  const capturedBy = new Map<string, string>();
  for (const step of scenario.steps) {
    for (const name of Object.keys(step.capture ?? {})) capturedBy.set(name, step.name);
  }
  const lookup = (name: string): unknown => {
    if (name in values) return values[name];
    const step = capturedBy.get(name);
    if (step !== undefined) throw new MissingValue(step);
    throw new Error(
      `Scenario ${scenario.idp}: {{${name}}} is neither a starting value nor captured by a step`,
    );
  };
  const vars: Vars = new Proxy(values, { get: (_, name) => lookup(String(name)) });

  const passed = new Map<string, boolean>();
  const created: Created[] = [];
  const deleted = new Set<string>();
  const results: StepResult[] = [];

  let refused: string | undefined;
  for (const step of scenario.steps) {
    const result = await runStep(step);
    passed.set(step.name, result.passed);
    results.push(result);
    options.onStep?.(scenario, result);
    refused = refusal(options, result.response);
    if (refused) break;
  }
  const cleanup = options.keep ? [] : await cleanUp();
  const ok = results.filter((r) => r.passed).length;
  return {
    idp: scenario.idp,
    title: scenario.title,
    run,
    steps: results,
    cleanup,
    passed: ok,
    failed: results.length - ok + cleanup.filter((c) => !c.passed).length,
    ...(refused ? { refused } : {}),
  };

  async function runStep(step: Step): Promise<StepResult> {
    const blocker = (step.after ?? []).find((name) => passed.get(name) !== true);
    if (blocker !== undefined) return skipped(step, blocker);
    let request: RecordedRequest;
    try {
      const body = typeof step.body === 'function' ? step.body(vars) : fill(step.body, lookup);
      const path =
        String(fill(step.path, lookup)) +
        encodeQuery(fill(step.query ?? {}, lookup) as Record<string, string>);
      const headers = fill(headersFor(scenario, step, body !== undefined), lookup) as Record<string, string>;
      request = { method: step.method, path, headers, ...(body !== undefined ? { body } : {}) };
    } catch (error) {
      if (error instanceof MissingValue) return skipped(step, error.step);
      throw error;
    }
    const { response, error } = await send(options, request);
    if (!response) return { name: step.name, passed: false, reasons: [error ?? 'no response'], request };
    track(request, response);

    const reasons: string[] = [];
    if (!step.status.includes(response.status)) {
      reasons.push(`status ${response.status}, expected ${step.status.join(' or ')}${errorDetail(response)}`);
    } else {
      for (const check of step.checks ?? []) {
        try {
          const reason = check(response, vars);
          if (reason !== undefined) reasons.push(reason);
        } catch (e) {
          if (!(e instanceof MissingValue)) throw e;
          reasons.push(`cannot check: ${e.message}`);
        }
      }
      for (const [name, read] of Object.entries(step.capture ?? {})) {
        const value = read(response);
        if (value !== undefined) values[name] = value;
      }
    }
    return { name: step.name, passed: reasons.length === 0, reasons, request, response };
  }

  function skipped(step: Step, on: string): StepResult {
    return { name: step.name, passed: false, skipped: true, reasons: [`skipped: depends on step "${on}"`] };
  }

  /** Remembers what was created and deleted, from the requests themselves. */
  function track(request: RecordedRequest, response: StepResponse) {
    const path = request.path.split('?')[0] ?? '';
    const collection = COLLECTION.exec(path);
    if (request.method === 'POST' && collection) {
      const endpoint = collection[1] as Created['endpoint'];
      const id = (response.body as { id?: unknown } | undefined)?.id;
      if (response.status < 300 && typeof id === 'string') created.push({ endpoint, id });
      else {
        const b = request.body as { userName?: unknown; displayName?: unknown } | undefined;
        const name = endpoint === 'Users' ? b?.userName : b?.displayName;
        if (typeof name === 'string') created.push({ endpoint, name });
      }
    }
    const item = ITEM.exec(path);
    if (request.method === 'DELETE' && item && (response.status < 300 || response.status === 404)) {
      deleted.add(`${item[1]}/${decodeURIComponent(item[2]!)}`);
    }
  }

  async function cleanUp(): Promise<CleanupResult[]> {
    const out: CleanupResult[] = [];
    const headers = headersFor(scenario, { name: 'cleanup', method: 'DELETE', path: '', status: [] }, false);
    // Groups first: deleting them first leaves no membership pointing at a deleted user.
    for (const endpoint of ['Groups', 'Users'] as const) {
      const ids: string[] = [];
      for (const c of created.filter((x) => x.endpoint === endpoint)) {
        if (c.id !== undefined) ids.push(c.id);
        else if (c.name !== undefined) ids.push(...(await findByName(endpoint, c.name, headers)));
      }
      for (const id of new Set(ids)) {
        const key = `${endpoint}/${id}`;
        if (deleted.has(key)) continue;
        deleted.add(key);
        const request: RecordedRequest = {
          method: 'DELETE' as HttpMethod,
          path: `/${endpoint}/${encodeURIComponent(id)}`,
          headers,
        };
        const { response, error } = await send(options, request);
        if (!response) out.push({ request, passed: false, reason: error ?? 'no response' });
        else if (response.status < 300 || response.status === 404) out.push({ request, passed: true });
        else
          out.push({
            request,
            passed: false,
            reason: `status ${response.status}, expected 204 or 404${errorDetail(response)}`,
          });
      }
    }
    return out;
  }

  /** Ids of resources holding exactly this run-unique name (a create that sent no id back). */
  async function findByName(endpoint: Created['endpoint'], name: string, headers: Record<string, string>) {
    if (!name.includes(run)) return [];
    const attribute = endpoint === 'Users' ? 'userName' : 'displayName';
    const filter = `${attribute} eq ${JSON.stringify(name)}`;
    const { response } = await send(options, {
      method: 'GET',
      path: `/${endpoint}${encodeQuery({ filter })}`,
      headers,
    });
    const list = (response?.body as { Resources?: { id?: unknown }[] } | undefined)?.Resources;
    return Array.isArray(list)
      ? list.map((r) => r.id).filter((id): id is string => typeof id === 'string')
      : [];
  }
}

/** Runs scenarios one after the other (each with its own run id and cleanup). */
export async function runScenarios(scenarios: readonly Scenario[], options: RunOptions): Promise<RunSummary> {
  const results: ScenarioResult[] = [];
  let refused: string | undefined;
  for (const scenario of scenarios) {
    const result = await runScenario(scenario, options);
    results.push(result);
    refused = result.refused;
    if (refused) break;
  }
  return {
    scenarios: results,
    passed: results.reduce((n, r) => n + r.passed, 0),
    failed: results.reduce((n, r) => n + r.failed, 0),
    ...(refused ? { refused } : {}),
  };
}
