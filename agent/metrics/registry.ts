import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import type { CounterConfiguration, GaugeConfiguration, HistogramConfiguration, Metric, OpenMetricsContentType } from 'prom-client';
import type { ServiceIdentity } from '../config/options';

export const OPENMETRICS_CONTENT_TYPE = Registry.OPENMETRICS_CONTENT_TYPE;

/**
 * The agent's metrics, held in two registries that share the same metric objects: Prometheus text
 * for ordinary scrapes, OpenMetrics for scrapers that ask for it (only that format carries exemplars).
 */
export class MetricsRegistry {
  readonly prometheus = new Registry();
  readonly openMetrics = new Registry<OpenMetricsContentType>();
  private rendering: Promise<void> = Promise.resolve();

  constructor(identity: ServiceIdentity) {
    this.openMetrics.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
    // `traffic` is a default so runtime series carry it too; request metrics set it per request.
    const labels = { service: identity.service, environment: identity.environment, tier: String(identity.tier), traffic: 'live' };
    this.prometheus.setDefaultLabels(labels);
    this.openMetrics.setDefaultLabels(labels);
  }

  counter<T extends string>(config: CounterConfiguration<T>): Counter<T> {
    return this.adopt(new Counter({ ...config, registers: [this.openMetrics] }));
  }

  gauge<T extends string>(config: GaugeConfiguration<T>): Gauge<T> {
    return this.adopt(new Gauge({ ...config, registers: [this.openMetrics] }));
  }

  histogram<T extends string>(config: HistogramConfiguration<T>): Histogram<T> {
    return this.adopt(new Histogram({ ...config, registers: [this.openMetrics] }));
  }

  /** Adds a metric that is not one of prom-client's own classes (see RequestHistogram). */
  add<M extends { asMetric(): Metric }>(metric: M): M {
    this.openMetrics.registerMetric(metric.asMetric());
    this.prometheus.registerMetric(metric.asMetric());
    return metric;
  }

  /** prom-client's default process and Node.js metrics, collected once and shown in both formats. */
  collectDefaults(): void {
    collectDefaultMetrics({ register: this.prometheus, eventLoopMonitoringPrecision: 10 });
    for (const { name } of this.prometheus.getMetricsAsArray()) {
      const metric = this.prometheus.getSingleMetric(name);
      if (metric !== undefined && this.openMetrics.getSingleMetric(name) === undefined) this.openMetrics.registerMetric(metric);
    }
  }

  remove(...names: string[]): void {
    for (const name of names) {
      this.prometheus.removeSingleMetric(name);
      this.openMetrics.removeSingleMetric(name);
    }
  }

  async render(accept: string | undefined): Promise<{ contentType: string; body: string }> {
    const render = this.rendering.then(() => this.renderNow(accept));
    this.rendering = render.then(
      () => undefined,
      () => undefined,
    );
    return render;
  }

  /**
   * prom-client strips `_total` from shared counter objects while writing OpenMetrics and does not
   * put it back, which would rename them in the Prometheus format too; renders therefore run one at
   * a time and the names are restored after each OpenMetrics render.
   */
  private async renderNow(accept: string | undefined): Promise<{ contentType: string; body: string }> {
    if (!accept?.includes('application/openmetrics-text')) {
      return { contentType: this.prometheus.contentType, body: await this.prometheus.metrics() };
    }
    const counters = this.openMetrics.getMetricsAsArray().filter((metric) => String(metric.type) === 'counter');
    const names = counters.map((metric) => metric.name);
    try {
      return { contentType: this.openMetrics.contentType, body: await this.openMetrics.metrics() };
    } finally {
      counters.forEach((metric, i) => (metric.name = names[i]!));
    }
  }

  clear(): void {
    this.prometheus.clear();
    this.openMetrics.clear();
  }

  private adopt<M extends Metric>(metric: M): M {
    this.prometheus.registerMetric(metric);
    return metric;
  }
}
