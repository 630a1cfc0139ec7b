import { performance, type EventLoopUtilization } from 'node:perf_hooks';
import { getHeapStatistics } from 'node:v8';
import type { ServiceIdentity } from '../config/options';
import { MetricNames } from './names';
import type { MetricsRegistry } from './registry';

/**
 * Saturation beyond prom-client's defaults: event-loop utilization, CPU utilization and the heap
 * limit. Each is read when scraped, as a ratio over the time since the previous scrape.
 */
export function registerRuntimeMetrics(registry: MetricsRegistry, identity: ServiceIdentity): void {
  registry.collectDefaults();
  // prom-client names these gauges with a counter's `_total` suffix, which Prometheus's linter
  // rejects; one gauge by resource type replaces them, from Node's public API.
  registry.remove('nodejs_active_handles', 'nodejs_active_handles_total', 'nodejs_active_requests', 'nodejs_active_requests_total', 'nodejs_active_resources', 'nodejs_active_resources_total');
  registry.gauge<'type'>({
    name: MetricNames.activeResources,
    help: 'Resources keeping the event loop alive, by type (handles, requests, timers).',
    labelNames: ['type'],
    collect() {
      this.reset();
      const counts = new Map<string, number>();
      for (const type of process.getActiveResourcesInfo()) counts.set(type, (counts.get(type) ?? 0) + 1);
      for (const [type, count] of counts) this.set({ type }, count);
    },
  });

  let lastElu: EventLoopUtilization = performance.eventLoopUtilization();
  registry.gauge({
    name: MetricNames.eventLoopUtilization,
    help: 'Share of time the event loop was busy since the previous scrape.',
    collect() {
      const now = performance.eventLoopUtilization();
      this.set(performance.eventLoopUtilization(now, lastElu).utilization);
      lastElu = now;
    },
  });

  let lastCpu = process.cpuUsage();
  let lastAt = performance.now();
  registry.gauge({
    name: MetricNames.cpuUtilization,
    help: 'Process CPU time per wall-clock time since the previous scrape (1 = one core fully busy).',
    collect() {
      const cpu = process.cpuUsage();
      const at = performance.now();
      const usedMicros = cpu.user - lastCpu.user + (cpu.system - lastCpu.system);
      const wallMicros = (at - lastAt) * 1000;
      if (wallMicros > 0) this.set(usedMicros / wallMicros);
      lastCpu = cpu;
      lastAt = at;
    },
  });

  registry.gauge({
    name: MetricNames.heapLimit,
    help: 'Size limit of the V8 heap in bytes.',
    collect() {
      this.set(getHeapStatistics().heap_size_limit);
    },
  });

  registry
    .gauge({
      name: MetricNames.serviceInfo,
      help: 'Identity of the service; the value is always 1.',
      labelNames: ['version'],
    })
    .set({ version: identity.version }, 1);
}
