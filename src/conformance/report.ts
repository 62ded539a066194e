/** Human-readable output of a conformance run: each step, and for failures the request and why. */
import type { RunSummary } from './runner.ts';
import type { RecordedRequest, ScenarioResult, StepResult } from './types.ts';

const MAX_BODY_CHARS = 4000;

/** Any `password` value (at any depth, any case) replaced, so a report can be shared. */
export function redact(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(redact);
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, /password/i.test(k) ? '[redacted]' : redact(v)]),
    );
  }
  return value;
}

export function formatRequest(request: RecordedRequest, indent = ''): string {
  let out = `${indent}request: ${request.method} ${request.path}\n`;
  if (request.body !== undefined) {
    let text = JSON.stringify(redact(request.body));
    if (text.length > MAX_BODY_CHARS) text = `${text.slice(0, MAX_BODY_CHARS)}…`;
    out += `${indent}body: ${text}\n`;
  }
  return out;
}

function formatStep(step: StepResult): string {
  if (step.passed) return `  ✓ ${step.name}\n`;
  let out = `  ✗ ${step.name}\n`;
  if (step.request) out += formatRequest(step.request, '      ');
  for (const reason of step.reasons) out += `      reason: ${reason}\n`;
  return out;
}

/** One scenario: every step, failures in detail, cleanup failures, and its own tally. */
export function formatScenario(result: ScenarioResult, options: { onlyFailures?: boolean } = {}): string {
  let out = `${result.title} (${result.idp}), run ${result.run}\n`;
  for (const step of result.steps) if (!options.onlyFailures || !step.passed) out += formatStep(step);
  const failedCleanup = result.cleanup.filter((c) => !c.passed);
  for (const c of failedCleanup) {
    out += `  ✗ cleanup ${c.request.method} ${c.request.path}\n      reason: ${c.reason}\n`;
  }
  const removed = result.cleanup.length - failedCleanup.length;
  out += `  cleanup: ${removed} leftover resource${removed === 1 ? '' : 's'} deleted`;
  out += failedCleanup.length > 0 ? `, ${failedCleanup.length} could not be\n` : '\n';
  out += `  ${result.idp}: ${result.passed} of ${result.steps.length} steps passed\n`;
  return out;
}

/** The whole run; its last line is exactly `N passed, M failed`. */
export function formatRun(summary: RunSummary): string {
  return `${summary.scenarios.map((s) => formatScenario(s)).join('\n')}\n${summary.passed} passed, ${summary.failed} failed\n`;
}
