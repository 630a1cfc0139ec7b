import type { Counter, Metric } from 'prom-client';
import { epochMillisNow } from '../clock';

type Labels = Readonly<Record<string, string>>;

interface Exemplar {
  labelSet: { trace_id: string };
  value: number;
  timestamp: number;
}

interface Series {
  readonly labels: Labels;
  /** Observations per bucket, not yet cumulative; the last slot is +Inf. */
  readonly counts: Float64Array;
  readonly exemplars: (Exemplar | undefined)[];
  sum: number;
  count: number;
}

type SeriesTree = Map<string, SeriesTree | Series>;

interface ExportedValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
  exemplar?: Exemplar;
}

/**
 * A histogram for the per-request hot path. prom-client's Histogram hashes the label object on
 * every observation; here the caller passes the series key it already built, the label object is
 * made once per series, and the series cap is the size of the one map that holds them. It renders
 * through prom-client's registries like any of its metrics.
 */
export class RequestHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  /** Series by label values, one map level per label: the values are mostly the same string objects request after request, whose hashes V8 caches, so this beats hashing a joined key. */
  private readonly root: SeriesTree = new Map();
  private size = 0;
  private readonly beforeRenderHooks: (() => void)[] = [];

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly bounds: readonly number[],
    private readonly maxSeries: number,
    private readonly refused: Counter<'metric'>,
  ) {}

  /**
   * Records `value` in the series of `labelValues` (one per label name, in order); the series'
   * label object is made only when it is new. A new series beyond the cap is refused and counted.
   */
  observe(labelValues: readonly string[], value: number, traceId?: string): void {
    let node = this.root;
    const last = labelValues.length - 1;
    for (let i = 0; i < last; i++) {
      let child = node.get(labelValues[i]!) as SeriesTree | undefined;
      if (child === undefined) {
        child = new Map();
        node.set(labelValues[i]!, child);
      }
      node = child;
    }
    let series = node.get(labelValues[last]!) as Series | undefined;
    if (series === undefined) {
      if (this.size >= this.maxSeries) {
        this.refused.inc({ metric: this.name });
        return;
      }
      series = { labels: this.labelsOf(labelValues), counts: new Float64Array(this.bounds.length + 1), exemplars: [], sum: 0, count: 0 };
      node.set(labelValues[last]!, series);
      this.size++;
    }
    let bucket = 0;
    while (bucket < this.bounds.length && value > this.bounds[bucket]!) bucket++;
    series.counts[bucket]!++;
    series.sum += value;
    series.count++;
    if (traceId !== undefined) series.exemplars[bucket] = { labelSet: { trace_id: traceId }, value, timestamp: epochMillisNow() / 1000 };
  }

  private labelsOf(labelValues: readonly string[]): Labels {
    const labels: Record<string, string> = {};
    this.labelNames.forEach((name, index) => (labels[name] = labelValues[index] ?? ''));
    return labels;
  }

  /** Runs `hook` before each render, to record observations that are only found at scrape time. */
  beforeRender(hook: () => void): void {
    this.beforeRenderHooks.push(hook);
  }

  async get() {
    for (const hook of this.beforeRenderHooks) hook();
    const values: ExportedValue[] = [];
    for (const { labels, counts, exemplars, sum, count } of this.allSeries(this.root)) {
      let cumulative = 0;
      for (let bucket = 0; bucket <= this.bounds.length; bucket++) {
        cumulative += counts[bucket]!;
        const le = bucket < this.bounds.length ? this.bounds[bucket]! : '+Inf';
        values.push({ metricName: `${this.name}_bucket`, labels: { ...labels, le }, value: cumulative, exemplar: exemplars[bucket] });
      }
      values.push({ metricName: `${this.name}_sum`, labels, value: sum }, { metricName: `${this.name}_count`, labels, value: count });
    }
    return { name: this.name, help: this.help, type: this.type, aggregator: this.aggregator, values };
  }

  reset(): void {
    this.root.clear();
    this.size = 0;
  }

  private *allSeries(node: SeriesTree): Generator<Series> {
    for (const child of node.values()) {
      if (child instanceof Map) yield* this.allSeries(child);
      else yield child;
    }
  }

  /** The shape prom-client's registries accept. */
  asMetric(): Metric {
    return this as unknown as Metric;
  }
}
