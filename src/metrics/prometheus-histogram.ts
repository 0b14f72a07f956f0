/**
 * The call-duration histogram as a prom-client metric whose data live in a `CircuitTally`.
 *
 * prom-client's own `Histogram.observe` validates and hashes the label set on every call (about
 * 400 ns here, several times the breaker's own cost per call). The tally records a call with one
 * map lookup and an array increment instead, and this class turns its buckets into the standard
 * `_bucket`/`_sum`/`_count` series when prom-client asks (at scrape time). It subclasses
 * prom-client's `Histogram` so registries, `getMetricsAsJSON`, `Registry.merge` and cluster
 * aggregation treat it as the histogram it is; observing it directly is not supported (the
 * data come from the registry's call events).
 */
import { Histogram, type Registry, type RegistryContentType } from 'prom-client';
import { OUTCOMES, type CircuitTally } from './circuit-tally.js';

type Labels = string;
interface SeriesValue {
  metricName: string;
  labels: Record<string, string | number>;
  value: number;
}

/** `{name}_bucket`, `_sum` and `_count` series by circuit and outcome, read from a tally. */
export class TallyHistogram extends Histogram<Labels> {
  // Set after super(): prom-client's constructor calls reset() before subclass fields exist.
  private source!: {
    name: string;
    help: string;
    tally: CircuitTally;
    circuits: () => Iterable<string>;
    constant: Readonly<Record<string, string>>;
  };

  /**
   * @param name metric name
   * @param help help text
   * @param promRegistry where to register
   * @param tally holds the durations (its bucket bounds are the histogram's)
   * @param circuits the names to export, in order (the circuits alive at scrape time)
   * @param constant labels added to every series
   */
  constructor(
    name: string,
    help: string,
    promRegistry: Registry<RegistryContentType>,
    tally: CircuitTally,
    circuits: () => Iterable<string>,
    constant: Readonly<Record<string, string>> = {},
  ) {
    super({
      name,
      help,
      labelNames: [...Object.keys(constant), 'circuit', 'outcome'],
      buckets: [...(tally.boundsS ?? [])],
      registers: [promRegistry],
    });
    this.source = { name, help, tally, circuits, constant };
  }

  override async get(): Promise<any> {
    return this.getForPromString();
  }

  /** What prom-client's registry renders (called at scrape time). */
  async getForPromString(): Promise<any> {
    return {
      name: this.source?.name,
      help: this.source?.help,
      type: 'histogram',
      values: this.source ? this.series() : [],
      aggregator: 'sum',
    };
  }

  override reset(): void {
    // Nothing of our own to clear: the tally owns the data and follows circuit evictions.
  }

  private series(): SeriesValue[] {
    const { name, tally, circuits, constant } = this.source;
    const bounds = tally.boundsS ?? [];
    const out: SeriesValue[] = [];
    const bucketName = `${name}_bucket`;
    for (const circuit of circuits()) {
      const figures = tally.get(circuit);
      if (!figures) continue;
      for (let o = 0; o < OUTCOMES.length; o++) {
        const s = figures.durations[o];
        if (!s) continue;
        const labels = { ...constant, circuit, outcome: OUTCOMES[o]! };
        let cumulative = 0;
        for (let i = 0; i < bounds.length; i++) {
          cumulative += s.buckets[i]!;
          out.push({
            metricName: bucketName,
            labels: { ...labels, le: bounds[i]! },
            value: cumulative,
          });
        }
        out.push({
          metricName: bucketName,
          labels: { ...labels, le: '+Inf' },
          value: s.count,
        });
        out.push({ metricName: `${name}_sum`, labels, value: s.sumS });
        out.push({ metricName: `${name}_count`, labels, value: s.count });
      }
    }
    return out;
  }
}
