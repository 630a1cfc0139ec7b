import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { carriesContextHeaders } from '../../../dist/agent/http/context-headers.js';
import { InFlightList } from '../../../dist/agent/http/in-flight.js';
import { compileTemplate } from '../../../dist/agent/metrics/routes.js';
import { RequestHistogram } from '../../../dist/agent/metrics/request-histogram.js';
import { normalizeMethod } from '../../../dist/agent/metrics/names.js';
import { baggageSaysShadow, trafficFromHeaders } from '../../../dist/agent/traffic.js';

describe('route templates', () => {
  it('match one segment per parameter and nothing else', () => {
    const songs = compileTemplate('/songs/:id');
    assert.ok(songs.test('/songs/42'));
    assert.ok(songs.test('/songs/42/'));
    assert.ok(!songs.test('/songs/42/lyrics'));
    assert.ok(!songs.test('/songs'));
    assert.ok(compileTemplate('/static/*').test('/static/css/site.css'));
    assert.ok(!compileTemplate('/a.b').test('/aXb'), 'dots are literal');
  });
});

describe('request histogram', () => {
  const setup = (maxSeries: number) => {
    const registry = new Registry();
    const refused = new Counter({ name: 'refused_total', help: 'h', labelNames: ['metric'], registers: [registry] });
    const histogram = new RequestHistogram('latency_seconds', 'h', ['route'], [0.1, 1], maxSeries, refused);
    registry.registerMetric(histogram.asMetric());
    return { registry, histogram };
  };

  it('renders cumulative buckets, sum and count per series', async () => {
    const { registry, histogram } = setup(10);
    for (const value of [0.05, 0.5, 0.5, 5]) histogram.observe(['/a'], value);
    const text = await registry.metrics();
    assert.match(text, /latency_seconds_bucket\{route="\/a",le="0.1"\} 1/);
    assert.match(text, /latency_seconds_bucket\{route="\/a",le="1"\} 3/);
    assert.match(text, /latency_seconds_bucket\{route="\/a",le="\+Inf"\} 4/);
    assert.match(text, /latency_seconds_sum\{route="\/a"\} 6.05/);
    assert.match(text, /latency_seconds_count\{route="\/a"\} 4/);
  });

  it('admits known series forever and refuses new ones past the cap, counting them', async () => {
    const { registry, histogram } = setup(2);
    histogram.observe(['/a'], 0.01);
    histogram.observe(['/b'], 0.01);
    histogram.observe(['/c'], 0.01);
    histogram.observe(['/a'], 0.01);
    const text = await registry.metrics();
    assert.match(text, /refused_total\{metric="latency_seconds"\} 1/);
    assert.match(text, /latency_seconds_count\{route="\/a"\} 2/);
    assert.ok(!text.includes('route="/c"'));
  });

  it('keeps the trace id of the latest observation per bucket as an exemplar for OpenMetrics', async () => {
    const registry = new Registry<typeof Registry.OPENMETRICS_CONTENT_TYPE>();
    registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    const refused = new Counter({ name: 'refused', help: 'h', labelNames: ['metric'], registers: [] });
    const histogram = new RequestHistogram('latency_seconds', 'h', ['route'], [0.1, 1], 10, refused);
    registry.registerMetric(histogram.asMetric());
    histogram.observe(['/a'], 0.5, '0af7651916cd43dd8448eb211c80319c');
    assert.match(await registry.metrics(), /latency_seconds_bucket\{route="\/a",le="1"\} 1 # \{trace_id="0af7651916cd43dd8448eb211c80319c"\} 0.5 \d+/);
  });
});

describe('request colour and method', () => {
  it('is shadow by header or by baggage entry only', () => {
    assert.equal(trafficFromHeaders({ 'x-vigil-traffic': 'shadow' }), 'shadow');
    assert.equal(trafficFromHeaders({ baggage: 'userId=1, vigil.traffic = shadow;prop=1' }), 'shadow');
    assert.equal(trafficFromHeaders({ baggage: 'vigil.traffic=live,other=shadow' }), 'live');
    assert.equal(trafficFromHeaders({}), 'live');
    assert.ok(!baggageSaysShadow('not.vigil.traffic=shadow'));
  });

  it('is looked for only when the raw headers carry a context or a colour, in whatever case they were sent', () => {
    const carries = (...rawHeaders: string[]) => carriesContextHeaders({ rawHeaders } as IncomingMessage);
    assert.ok(carries('Host', 'a', 'X-Vigil-Traffic', 'shadow'));
    assert.ok(carries('TraceParent', '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01'));
    assert.ok(carries('baggage', 'vigil.traffic=shadow'));
    assert.ok(carries('UBER-TRACE-ID', '1:2:0:1'));
    // Same lengths as the names above, other names.
    assert.ok(!carries('Accept-Encoding', 'gzip', 'Retry-After', '1', 'Cache-Control', 'no-cache', 'Referer', 'x', 'Tracestate', 'a=1'));
    assert.ok(!carries());
  });

  it('collapses unknown methods so they cannot mint series', () => {
    assert.equal(normalizeMethod('GET'), 'GET');
    assert.equal(normalizeMethod('FOO'), '_OTHER');
    assert.equal(normalizeMethod(undefined), '_OTHER');
  });
});

describe('requests in flight', () => {
  interface Entry {
    readonly response: ServerResponse;
    previous: Entry | undefined;
    next: Entry | undefined;
  }
  const entry = (destroyed = false, writableFinished = false): Entry => ({
    response: { destroyed, writableFinished } as unknown as ServerResponse,
    previous: undefined,
    next: undefined,
  });

  it('unlinks entries from anywhere in the list', () => {
    const list = new InFlightList<Entry>();
    const [first, middle, last] = [entry(true), entry(true), entry(true)];
    for (const e of [first, middle, last]) list.add(e);
    assert.equal(list.size, 3);
    list.remove(middle);
    assert.deepEqual(list.aborted(), [last, first]);
    list.remove(last);
    assert.deepEqual(list.aborted(), [first]);
    list.remove(first);
    assert.equal(list.size, 0);
    assert.deepEqual(list.aborted(), []);
  });

  it('reports as aborted only responses destroyed before they finished', () => {
    const list = new InFlightList<Entry>();
    const running = entry();
    const aborted = entry(true, false);
    const finishedThenClosed = entry(true, true);
    for (const e of [running, aborted, finishedThenClosed]) list.add(e);
    assert.deepEqual(list.aborted(), [aborted]);
  });
});
