/**
 * In-memory tables with an undo journal: a change set records the inverse of every write and rolls it
 * back when any operation fails, so a change set is atomic without copying whole tables.
 */
export type Row = Record<string, unknown>;

type Undo = () => void;

export class SandboxState {
  private readonly tables = new Map<string, Map<string, Row>>();
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

  put(entitySet: string, id: string, row: Row): void {
    const table = this.table(entitySet);
    const key = id.toLowerCase();
    const previous = table.get(key);
    table.set(key, row);
    this.journal?.push(() => {
      if (previous) table.set(key, previous);
      else table.delete(key);
    });
  }

  delete(entitySet: string, id: string): boolean {
    const table = this.table(entitySet);
    const key = id.toLowerCase();
    const previous = table.get(key);
    if (!previous) return false;
    table.delete(key);
    this.journal?.push(() => table.set(key, previous));
    return true;
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
