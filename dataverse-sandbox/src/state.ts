/**
 * In-memory tables with an undo journal: a change set records the inverse of every write and rolls it
 * back when any operation fails, so a change set is atomic without copying whole tables.
 */
export type Row = Record<string, unknown>;

type Undo = () => void;

/** Keys of an entity set's rows by one column's value. */
type ColumnIndex = Map<unknown, Set<string>>;

export class SandboxState {
  private readonly tables = new Map<string, Map<string, Row>>();
  /** entity set → column → index, made on first use and kept by every write (and every undo). */
  private readonly indexes = new Map<string, Map<string, ColumnIndex>>();
  private journal: Undo[] | null = null;

  table(entitySet: string): Map<string, Row> {
    let table = this.tables.get(entitySet);
    if (!table) {
      table = new Map();
      this.tables.set(entitySet, table);
    }
    return table;
  }

  /** A copy of every row of an entity set, for tests. */
  rows(entitySet: string): Row[] {
    return [...this.table(entitySet).values()].map((row) => ({ ...row }));
  }

  get(entitySet: string, id: string): Row | undefined {
    return this.table(entitySet).get(id.toLowerCase());
  }

  /**
   * The rows whose `column` equals `value`, through an index rather than a scan: a benchmark's sandbox holds
   * tens of thousands of rows, and a scan per request made its answers grow with every case it had made. An
   * entry made stale by a row changed in place is skipped by the check on the row as it is now.
   */
  rowsWhere(entitySet: string, column: string, value: unknown): Row[] {
    const keys = this.index(entitySet, column).get(value);
    if (!keys) return [];
    const table = this.table(entitySet);
    const rows: Row[] = [];
    for (const key of keys) {
      const row = table.get(key);
      if (row && row[column] === value) rows.push(row);
    }
    return rows;
  }

  put(entitySet: string, id: string, row: Row): void {
    const key = id.toLowerCase();
    const previous = this.table(entitySet).get(key);
    this.write(entitySet, key, previous, row);
    this.journal?.push(() => this.write(entitySet, key, row, previous));
  }

  delete(entitySet: string, id: string): boolean {
    const key = id.toLowerCase();
    const previous = this.table(entitySet).get(key);
    if (!previous) return false;
    this.write(entitySet, key, previous, undefined);
    this.journal?.push(() => this.write(entitySet, key, undefined, previous));
    return true;
  }

  private write(entitySet: string, key: string, before: Row | undefined, after: Row | undefined): void {
    const table = this.table(entitySet);
    if (after) table.set(key, after);
    else table.delete(key);
    for (const [column, index] of this.indexes.get(entitySet) ?? []) {
      if (before) index.get(before[column])?.delete(key);
      if (after) addTo(index, after[column], key);
    }
  }

  private index(entitySet: string, column: string): ColumnIndex {
    let columns = this.indexes.get(entitySet);
    if (!columns) {
      columns = new Map();
      this.indexes.set(entitySet, columns);
    }
    let index = columns.get(column);
    if (!index) {
      index = new Map();
      for (const [key, row] of this.table(entitySet)) addTo(index, row[column], key);
      columns.set(column, index);
    }
    return index;
  }

  /** Runs `work` atomically: any throw undoes every write it made, then rethrows. */
  transaction<T>(work: () => T): T {
    if (this.journal) return work();
    const journal: Undo[] = [];
    this.journal = journal;
    try {
      return work();
    } catch (error) {
      for (const undo of journal.reverse()) undo();
      throw error;
    } finally {
      this.journal = null;
    }
  }
}

function addTo(index: ColumnIndex, value: unknown, key: string): void {
  let keys = index.get(value);
  if (!keys) {
    keys = new Set();
    index.set(value, keys);
  }
  keys.add(key);
}
