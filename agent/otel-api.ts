import * as api from '@opentelemetry/api';
import * as core from '@opentelemetry/core';
import * as sdk from '@opentelemetry/sdk-trace-base';

/*
 * The OpenTelemetry values that Vigil uses on every request or log line, read once.
 *
 * The packages' CommonJS builds export each name through a getter, on an exports object that V8
 * keeps in dictionary mode, and TypeScript's CommonJS output reads an imported name at every use.
 * So each use on a hot path was a dictionary lookup and a getter call that optimized code cannot
 * inline. Code that runs per request or per line imports these names from here; code that runs
 * once may import the packages directly.
 */

export const { INVALID_SPAN_CONTEXT, INVALID_TRACEID, ROOT_CONTEXT, SpanKind, SpanStatusCode, TraceFlags, context, diag, isSpanContextValid, propagation, trace } = api;
export type SpanKind = api.SpanKind;

export const {
  RPCType,
  hrTime,
  hrTimeDuration,
  hrTimeToMilliseconds,
  isAttributeValue,
  isTimeInput,
  isTracingSuppressed,
  millisToHrTime,
  sanitizeAttributes,
  setRPCMetadata,
  timeInputToHrTime,
} = core;

export const { SamplingDecision } = sdk;
