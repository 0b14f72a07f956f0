/**
 * A small OpenTelemetry Meter written against the `@opentelemetry/api` interfaces (no SDK is
 * installed): it records the instruments created and runs the batch callbacks when a test
 * "collects", as an SDK reader would.
 */
import type {
  Attributes,
  BatchObservableCallback,
  Meter,
  MetricOptions,
  Observable,
} from '@opentelemetry/api';

export interface Instrument extends Observable {
  name: string;
  kind: string;
  options: MetricOptions | undefined;
}
export interface Point {
  name: string;
  value: number;
  attributes: Attributes;
}

export class RecordingMeter implements Meter {
  readonly instruments: Instrument[] = [];
  readonly records: Point[] = [];
  readonly callbacks = new Set<BatchObservableCallback>();

  private make(kind: string, name: string, options?: MetricOptions): Instrument {
    const instrument: Instrument = {
      name,
      kind,
      options,
      addCallback: () => {},
      removeCallback: () => {},
    };
    this.instruments.push(instrument);
    return instrument;
  }
  private sync(kind: string, name: string, options?: MetricOptions) {
    this.make(kind, name, options);
    const write = (value: number, attributes: Attributes = {}) =>
      this.records.push({ name, value, attributes });
    return { add: write, record: write };
  }
  createGauge = (n: string, o?: MetricOptions) => this.sync('gauge', n, o);
  createHistogram = (n: string, o?: MetricOptions) => this.sync('histogram', n, o);
  createCounter = (n: string, o?: MetricOptions) => this.sync('counter', n, o);
  createUpDownCounter = (n: string, o?: MetricOptions) => this.sync('updown', n, o);
  createObservableGauge = (n: string, o?: MetricOptions) => this.make('observable-gauge', n, o);
  createObservableCounter = (n: string, o?: MetricOptions) => this.make('observable-counter', n, o);
  createObservableUpDownCounter = (n: string, o?: MetricOptions) =>
    this.make('observable-updown', n, o);
  addBatchObservableCallback(callback: BatchObservableCallback): void {
    this.callbacks.add(callback);
  }
  removeBatchObservableCallback(callback: BatchObservableCallback): void {
    this.callbacks.delete(callback);
  }

  /** Runs every batch callback once, as an SDK's collection would. */
  async collect(): Promise<Point[]> {
    const points: Point[] = [];
    for (const cb of this.callbacks)
      await cb({
        observe: (metric, value, attributes = {}) =>
          points.push({ name: (metric as Instrument).name, value, attributes }),
      });
    return points;
  }
}
