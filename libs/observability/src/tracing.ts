import {
  type Context,
  type Span,
  type SpanKind,
  SpanStatusCode,
  context,
  propagation,
  trace,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  BatchSpanProcessor,
  SimpleSpanProcessor,
  type SpanExporter,
  TracerProvider,
} from '@opentelemetry/sdk-trace';

export { SpanKind } from '@opentelemetry/api';

let provider: TracerProvider | undefined;

export interface TracingOptions {
  serviceName: string;
  /** OTLP/HTTP endpoint of a collector; without it traces are made (and propagated) but not exported. */
  otlpEndpoint?: string;
  /** An exporter of the caller's own (tests use an in-memory one). */
  exporter?: SpanExporter;
}

/**
 * Turns tracing on for the process, once: spans for HTTP requests and for each event a
 * consumer handles, with W3C trace context carried in HTTP headers and, through the
 * event's `traceparent`, across Kafka.
 */
export function initTracing(options: TracingOptions): void {
  if (provider) return;
  const spanProcessors = [
    ...(options.exporter ? [new SimpleSpanProcessor({ exporter: options.exporter })] : []),
    ...(options.otlpEndpoint
      ? [
          new BatchSpanProcessor({
            exporter: new OTLPTraceExporter({
              url: `${options.otlpEndpoint.replace(/\/$/, '')}/v1/traces`,
            }),
          }),
        ]
      : []),
  ];
  provider = new TracerProvider({
    resource: resourceFromAttributes({ 'service.name': options.serviceName }),
    spanProcessors,
  });
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(provider);
}

export async function shutdownTracing(): Promise<void> {
  await provider?.shutdown();
}

function tracer() {
  return trace.getTracer('parley');
}

/** The W3C traceparent of the active span, if there is one. */
export function currentTraceparent(): string | undefined {
  const carrier: Record<string, string> = {};
  propagation.inject(context.active(), carrier);
  return carrier.traceparent;
}

/** Adds the active trace context to outgoing headers. */
export function injectTraceHeaders(headers: Record<string, string>): void {
  propagation.inject(context.active(), headers);
}

export function contextFromTraceparent(traceparent: string | undefined): Context {
  return traceparent ? propagation.extract(context.active(), { traceparent }) : context.active();
}

export function contextFromHeaders(
  headers: Record<string, string | string[] | undefined>,
): Context {
  return propagation.extract(context.active(), headers);
}

export function startSpan(
  name: string,
  kind: SpanKind,
  parent: Context,
  attributes: Record<string, string | number> = {},
): Span {
  return tracer().startSpan(name, { kind, attributes }, parent);
}

export function runInSpan<T>(span: Span, parent: Context, work: () => T): T {
  return context.with(trace.setSpan(parent, span), work);
}

/** Runs work in a new span that ends with it, recording a failure. */
export async function inSpan<T>(
  name: string,
  kind: SpanKind,
  parent: Context,
  attributes: Record<string, string | number>,
  work: () => Promise<T>,
): Promise<T> {
  const span = startSpan(name, kind, parent, attributes);
  try {
    return await runInSpan(span, parent, work);
  } catch (error) {
    span.recordException(error instanceof Error ? error : String(error));
    span.setStatus({ code: SpanStatusCode.ERROR });
    throw error;
  } finally {
    span.end();
  }
}

export function markSpanError(span: Span): void {
  span.setStatus({ code: SpanStatusCode.ERROR });
}

/** The trace id of the active span, for log lines. */
export function currentTraceId(): string | undefined {
  const span = trace.getSpan(context.active());
  const id = span?.spanContext().traceId;
  return id && id !== '00000000000000000000000000000000' ? id : undefined;
}
