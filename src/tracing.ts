/**
 * OpenTelemetry traces, off unless configured (config.ts `tracing`, docs/config.md). Every
 * layer records its spans through @opentelemetry/api, which does nothing until a tracer
 * provider is registered; the SDK and the exporter are imported by `startTracing` only, so a
 * server without tracing never loads them, and the wrappers below are not even installed then
 * (`tracingOn()` is false): http/tracing.ts (one span per request), directory/directory.ts (one
 * per directory operation), store/ (one per query, on both dialects).
 *
 * No span attribute carries a value a client sent in a body or a header: SQL goes as its text
 * with placeholders (never its parameters), URLs as their redacted path and route, errors as
 * their name only (a message may quote input).
 */
import { type Attributes, context, type Span, SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import type { TracingConfig } from './config.ts';

export const tracer = trace.getTracer('scimitar');

let on = false;

/** Whether startTracing registered a provider in this process. */
export function tracingOn(): boolean {
  return on;
}

/**
 * Loads the SDK and the configured exporter, and registers them for the whole process. Returns
 * a function that sends the spans still queued and stops (call it at shutdown).
 */
export async function startTracing(config: TracingConfig): Promise<() => Promise<void>> {
  const [sdk, resources] = await Promise.all([
    import('@opentelemetry/sdk-trace-node'),
    import('@opentelemetry/resources'),
  ]);
  // The OTLP exporters read OTEL_EXPORTER_OTLP_* (endpoint, headers, timeout) themselves.
  const exporter =
    config.exporter === 'console'
      ? new sdk.ConsoleSpanExporter()
      : config.protocol === 'http/json'
        ? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter()
        : new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
  // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES (envDetector) win over our default name.
  const resource = resources
    .resourceFromAttributes({ 'service.name': config.serviceName })
    .merge(resources.detectResources({ detectors: [resources.envDetector] }));
  const provider = new sdk.NodeTracerProvider({
    resource,
    // OTEL_BSP_* (batch size, delay) are read by the processor.
    spanProcessors: [new sdk.BatchSpanProcessor(exporter)],
  });
  provider.register();
  on = true;
  return async () => {
    on = false;
    await provider.shutdown();
  };
}

/** Marks a span failed with the error's name (or code), never its message. */
export function failSpan(span: Span, error: unknown): void {
  const e = error as { name?: unknown; code?: unknown } | null;
  const type = typeof e?.code === 'string' ? e.code : typeof e?.name === 'string' ? e.name : 'Error';
  span.setAttribute('error.type', type);
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/**
 * Runs `work` inside a new span, a child of the active one, and ends the span when `work`
 * returns or, for a promise, settles.
 */
export function inSpan<T>(name: string, kind: SpanKind, attributes: Attributes, work: () => T): T {
  const span = tracer.startSpan(name, { kind, attributes });
  let result: T;
  try {
    result = context.with(trace.setSpan(context.active(), span), work);
  } catch (error) {
    failSpan(span, error);
    span.end();
    throw error;
  }
  if (result instanceof Promise) {
    return result.then(
      (value) => {
        span.end();
        return value;
      },
      (error: unknown) => {
        failSpan(span, error);
        span.end();
        throw error;
      },
    ) as T;
  }
  span.end();
  return result;
}

/** Where a statement names its table: `insert into t`, `update t`, else `from t`. */
const TABLE_AFTER: Record<string, RegExp> = {
  insert: /\binto\s+(?:"?\w+"?\.)?"?(\w+)"?/i,
  update: /\bupdate\s+(?:"?\w+"?\.)?"?(\w+)"?/i,
  select: /\bfrom\s+(?:"?\w+"?\.)?"?(\w+)"?/i,
};

/**
 * A span for one SQL statement, when tracing is on and the statement runs for a traced request
 * or operation (background work, such as the request log's flushes or the webhook dispatcher's
 * polls, is not traced statement by statement). Named `<operation> <table>` as OpenTelemetry's
 * database conventions suggest; the text keeps its placeholders, never the values.
 */
export function traceQuery<T>(system: 'sqlite' | 'postgresql', text: string, run: () => T): T {
  if (!on || trace.getSpan(context.active()) === undefined) return run();
  let operation = /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase() ?? 'query';
  // A statement that starts with a CTE (`with x as (insert …) select …`) is named by what it writes.
  if (operation === 'with')
    operation = /\b(insert|update|delete)\b/i.exec(text)?.[1]?.toLowerCase() ?? 'select';
  const table = (TABLE_AFTER[operation] ?? TABLE_AFTER.select)?.exec(text)?.[1];
  const attributes: Attributes = {
    'db.system.name': system,
    'db.operation.name': operation,
    'db.query.text': text.length > 4000 ? `${text.slice(0, 4000)}…` : text,
  };
  if (table) attributes['db.collection.name'] = table;
  return inSpan(table ? `${operation} ${table}` : operation, SpanKind.CLIENT, attributes, run);
}

/**
 * `service` with each of its methods run in a span `directory <name>.<method>` (within a traced
 * request), when tracing is on; `service` itself otherwise. Methods run on the service itself (its private fields work).
 */
export function traceService<T extends object>(name: string, service: T): T {
  if (!on) return service;
  const wrapped = new Map<PropertyKey, unknown>();
  return new Proxy(service, {
    get(target, property) {
      const value = Reflect.get(target, property, target) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'constructor') {
        return value;
      }
      let wrapper = wrapped.get(property);
      if (!wrapper) {
        const method = value as (...args: unknown[]) => unknown;
        const spanName = `directory ${name}.${property}`;
        const attributes = { 'scimitar.directory.operation': `${name}.${property}` };
        // Only inside a traced request: background work (log flushes, the dispatcher) is not traced.
        wrapper = (...args: unknown[]) =>
          trace.getSpan(context.active()) === undefined
            ? method.apply(target, args)
            : inSpan(spanName, SpanKind.INTERNAL, attributes, () => method.apply(target, args));
        wrapped.set(property, wrapper);
      }
      return wrapper;
    },
  });
}
