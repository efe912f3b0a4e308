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
  /** A column a solution added (AttributeMetadata.IsCustomAttribute), such as the insights columns. */
  custom?: boolean;
  /** Localized labels by LCID, for columns that carry them (the insights columns, read from the solution). */
  labels?: ColumnLabels;
  /** IntegerAttributeMetadata MinValue / MaxValue. */
  minValue?: number;
  maxValue?: number;
  /** DateTimeAttributeMetadata DateTimeBehavior (DateTimeBehavior ComplexType Value). */
  dateTimeBehavior?: 'UserLocal' | 'DateOnly' | 'TimeZoneIndependent';
  /** The local choice's OptionSetMetadata Name. */
  optionSetName?: string;
}

export interface ColumnLabels {
  displayName: Readonly<Record<number, string>>;
  description: Readonly<Record<number, string>>;
  /** Option value → LCID → label. */
  options?: Readonly<Record<string, Readonly<Record<number, string>>>>;
}

export interface TableMetadata {
  entitySet: string;
  primaryKey: string;
  primaryName: string | null;
  objectTypeCode: number | null;
  columns: Record<string, ColumnMetadata>;
}
