/**
 * Pure: where each row of a virtualised list sits. Heights start as an estimate and are replaced by
 * measurements as rows render; offsets are prefix sums, recomputed lazily (O(n), fine for 10,000 rows).
 */
export class RowLayout {
  private readonly heights: Float64Array;
  private offsets: Float64Array | undefined;

  constructor(
    readonly count: number,
    estimate: number,
  ) {
    this.heights = new Float64Array(count).fill(estimate);
  }

  /** Records a measured height; true when it changed the layout. */
  setHeight(index: number, height: number): boolean {
    if (index < 0 || index >= this.count || height <= 0 || this.heights[index] === height) return false;
    this.heights[index] = height;
    this.offsets = undefined;
    return true;
  }

  heightOf(index: number): number {
    return this.heights[index] ?? 0;
  }

  offsetOf(index: number): number {
    return this.prefix()[Math.max(0, Math.min(index, this.count))];
  }

  totalHeight(): number {
    return this.prefix()[this.count];
  }

  /** Rows intersecting [top, top + height), widened by `overscan` rows each side: [start, end). */
  visibleRange(top: number, height: number, overscan: number): { start: number; end: number } {
    if (this.count === 0) return { start: 0, end: 0 };
    const first = this.indexAt(Math.max(0, top));
    const last = this.indexAt(Math.max(0, top + height - 1));
    return { start: Math.max(0, first - overscan), end: Math.min(this.count, last + 1 + overscan) };
  }

  /** The scroll position that puts a row in the middle of a viewport of the given height. */
  centredScrollTop(index: number, viewport: number): number {
    const top = this.offsetOf(index) - (viewport - this.heightOf(index)) / 2;
    return Math.max(0, Math.min(top, this.totalHeight() - viewport));
  }

  /**
   * Where the log opens: the row a third of the way down (the rows before it above, the rows after it
   * below), or the end of the list when the end also shows the row (the newest rows then fill the rest).
   */
  openingScrollTop(index: number, viewport: number): number {
    const top = this.offsetOf(index) - viewport / 3;
    return Math.max(0, Math.min(top, this.endScrollTop(viewport)));
  }

  /** The scroll position that shows the last rows. */
  endScrollTop(viewport: number): number {
    return Math.max(0, this.totalHeight() - viewport);
  }

  private indexAt(y: number): number {
    const offsets = this.prefix();
    let low = 0;
    let high = this.count - 1;
    while (low < high) {
      const mid = (low + high + 1) >> 1;
      if (offsets[mid] <= y) low = mid;
      else high = mid - 1;
    }
    return low;
  }

  private prefix(): Float64Array {
    if (!this.offsets) {
      const offsets = new Float64Array(this.count + 1);
      for (let i = 0; i < this.count; i++) offsets[i + 1] = offsets[i] + this.heights[i];
      this.offsets = offsets;
    }
    return this.offsets;
  }
}
