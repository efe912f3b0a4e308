export type ColumnType =
  | 'Uniqueidentifier'
  | 'String'
  | 'Memo'
  | 'Picklist'
  | 'State'
  | 'Status'
  | 'Customer'
  | 'Lookup'
  | 'Owner'
  | 'Boolean'
  | 'DateTime'
  | 'Integer'
  | 'EntityName';

export interface ColumnMetadata {
  type: ColumnType;
  /** IsValidForCreate / IsValidForUpdate: values for invalid columns are ignored, as Dataverse does. */
  create: boolean;
  update: boolean;
  maxLength?: number;
  options?: Record<string, string>;
  /** Target logical name → single-valued navigation property used in `<nav>@odata.bind`. */
  bind?: Record<string, string>;
  targets?: string[];
  default?: unknown;
}

export interface TableMetadata {
  entitySet: string;
  primaryKey: string;
  primaryName: string | null;
  objectTypeCode: number | null;
  columns: Record<string, ColumnMetadata>;
}
