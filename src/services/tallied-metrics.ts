/**
 * Counters and histograms for the request path, tallied in plain numbers and turned into
 * prom-client's exposition only when scraped. prom-client's own `inc`/`observe` hash and check
 * the label set on every call, children included; these look up a cell by a key the caller
 * already has and add to it. Both register on a prom-client `Registry` like its own metrics.
 */

type Labels = Readonly<Record<string, string | number>>;

interface MetricValue {
  readonly labels: Labels;
  readonly value: number;
  readonly metricName?: string;
}

interface MetricShape {
  readonly name: string;
  readonly help: string;
}

/** The cells of one metric, one per label set, made on first use. */
abstract class Tallied<Cell> {
  readonly name: string;
  readonly help: string;
  readonly aggregator = 'sum';
  readonly #cells = new Map<string, { labels: Labels; cell: Cell }>();

  constructor(shape: MetricShape) {
    this.name = shape.name;
    this.help = shape.help;
  }

  /** The cell of a label set; `key` names that set uniquely (e.g. its values joined). */
  protected cell(key: string, labels: () => Labels): Cell {
    let entry = this.#cells.get(key);
    if (entry === undefined) {
      entry = { labels: labels(), cell: this.newCell() };
      this.#cells.set(key, entry);
    }
    return entry.cell;
  }

  protected abstract newCell(): Cell;
  protected abstract values(labels: Labels, cell: Cell): MetricValue[];

  /** What prom-client's `Registry` reads at scrape time. */
  get() {
    const values: MetricValue[] = [];
    for (const { labels, cell } of this.#cells.values()) values.push(...this.values(labels, cell));
    return {
      name: this.name,
      help: this.help,
      type: this.type,
      values,
      aggregator: this.aggregator,
    };
  }

  abstract readonly type: 'counter' | 'histogram';
}

export class TalliedCounter extends Tallied<{ value: number }> {
  readonly type = 'counter';

  inc(key: string, labels: () => Labels): void {
    this.cell(key, labels).value++;
  }

  protected newCell() {
    return { value: 0 };
  }

  protected values(labels: Labels, cell: { value: number }): MetricValue[] {
    return [{ labels, value: cell.value }];
  }
}

interface HistogramCell {
  /** Observations per bucket, not cumulative; the last is above every bound. */
  readonly counts: number[];
  sum: number;
  count: number;
}

export class TalliedHistogram extends Tallied<HistogramCell> {
  readonly type = 'histogram';
  readonly #bounds: readonly number[];

  constructor(shape: MetricShape & { readonly buckets: readonly number[] }) {
    super(shape);
    this.#bounds = [...shape.buckets].sort((a, b) => a - b);
  }

  observe(key: string, labels: () => Labels, value: number): void {
    const cell = this.cell(key, labels);
    const bounds = this.#bounds;
    let bucket = 0;
    while (bucket < bounds.length && value > bounds[bucket]!) bucket++;
    cell.counts[bucket]!++;
    cell.sum += value;
    cell.count++;
  }

  protected newCell(): HistogramCell {
    return { counts: new Array<number>(this.#bounds.length + 1).fill(0), sum: 0, count: 0 };
  }

  protected values(labels: Labels, cell: HistogramCell): MetricValue[] {
    const bucketName = `${this.name}_bucket`;
    const values: MetricValue[] = [];
    let cumulative = 0;
    this.#bounds.forEach((bound, i) => {
      cumulative += cell.counts[i]!;
      values.push({ labels: { le: bound, ...labels }, value: cumulative, metricName: bucketName });
    });
    values.push(
      { labels: { le: '+Inf', ...labels }, value: cell.count, metricName: bucketName },
      { labels, value: cell.sum, metricName: `${this.name}_sum` },
      { labels, value: cell.count, metricName: `${this.name}_count` },
    );
    return values;
  }
}
