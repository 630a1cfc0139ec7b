import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Counter, Registry } from 'prom-client';
import { compileTemplate } from '../../../dist/agent/metrics/routes.js';
import { SeriesGuard } from '../../../dist/agent/metrics/series-guard.js';
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

describe('series guard', () => {
  it('admits known label sets forever and refuses new ones past the cap, counting them', async () => {
    const registry = new Registry();
    const dropped = new Counter({ name: 'dropped_total', help: 'h', labelNames: ['metric'], registers: [registry] });
    const guard = new SeriesGuard(2, dropped);
    assert.ok(guard.admit('m', 'a'));
    assert.ok(guard.admit('m', 'b'));
    assert.ok(!guard.admit('m', 'c'));
    assert.ok(guard.admit('m', 'a'));
    assert.ok(guard.admit('other', 'c'), 'the cap is per metric');
    assert.match(await registry.metrics(), /dropped_total\{metric="m"\} 1/);
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

  it('collapses unknown methods so they cannot mint series', () => {
    assert.equal(normalizeMethod('GET'), 'GET');
    assert.equal(normalizeMethod('FOO'), '_OTHER');
    assert.equal(normalizeMethod(undefined), '_OTHER');
  });
});
