/**
 * The properties of AttributeMetadata and of the derived types the sandbox serves, from the Web API
 * EntityType reference (Microsoft Learn: "AttributeMetadata EntityType" and its derived types
 * StringAttributeMetadata, MemoAttributeMetadata, PicklistAttributeMetadata, StateAttributeMetadata,
 * StatusAttributeMetadata, …). A property of a derived type is only reachable through a cast ("Query
 * table definitions using the Web API": "you must cast the Attributes collection-valued navigation
 * property to the type you want"), so `$select`/`$expand` are checked against the type named by the path.
 */
import type { ColumnType } from './metadata-types.js';

/** AttributeMetadata EntityType: the properties every attribute has. */
const BASE = [
  'AttributeOf',
  'AttributeType',
  'AttributeTypeName',
  'AutoNumberFormat',
  'CanBeSecuredForCreate',
  'CanBeSecuredForRead',
  'CanBeSecuredForUpdate',
  'CanModifyAdditionalSettings',
  'ColumnNumber',
  'CreatedOn',
  'DeprecatedVersion',
  'Description',
  'DisplayName',
  'EntityLogicalName',
  'ExternalName',
  'HasChanged',
  'InheritsFrom',
  'IntroducedVersion',
  'IsAuditEnabled',
  'IsCustomAttribute',
  'IsCustomizable',
  'IsDataSourceSecret',
  'IsFilterable',
  'IsGlobalFilterEnabled',
  'IsLogical',
  'IsManaged',
  'IsPrimaryId',
  'IsPrimaryName',
  'IsRenameable',
  'IsRequiredForForm',
  'IsRetrievable',
  'IsSearchable',
  'IsSecured',
  'IsSortableEnabled',
  'IsValidForAdvancedFind',
  'IsValidForCreate',
  'IsValidForForm',
  'IsValidForGrid',
  'IsValidForRead',
  'IsValidForUpdate',
  'IsValidODataAttribute',
  'LinkedAttributeId',
  'LogicalName',
  'MetadataId',
  'ModifiedOn',
  'RequiredLevel',
  'SchemaName',
  'Settings',
  'SourceType',
];

export interface AttributeTypeInfo {
  /** The Web API type name, e.g. `StringAttributeMetadata`. */
  name: string;
  properties: string[];
  /** Navigation properties (`$expand`). */
  navigation: string[];
}

const ENUM_NAVIGATION = ['OptionSet', 'GlobalOptionSet'];

const DERIVED: Record<ColumnType, { name: string; properties: string[]; navigation?: string[] }> = {
  String: {
    name: 'StringAttributeMetadata',
    properties: [
      'DatabaseLength',
      'Format',
      'FormatName',
      'FormulaDefinition',
      'ImeMode',
      'IsLocalizable',
      'MaxLength',
      'SourceTypeMask',
      'YomiOf',
    ],
  },
  Memo: {
    name: 'MemoAttributeMetadata',
    properties: ['Format', 'FormatName', 'ImeMode', 'IsLocalizable', 'MaxLength'],
  },
  Picklist: {
    name: 'PicklistAttributeMetadata',
    properties: [
      'DefaultFormValue',
      'FormulaDefinition',
      'ParentPicklistLogicalName',
      'ChildPicklistLogicalNames',
      'SourceTypeMask',
    ],
    navigation: ENUM_NAVIGATION,
  },
  State: { name: 'StateAttributeMetadata', properties: ['DefaultFormValue'], navigation: ENUM_NAVIGATION },
  Status: { name: 'StatusAttributeMetadata', properties: ['DefaultFormValue'], navigation: ENUM_NAVIGATION },
  EntityName: {
    name: 'EntityNameAttributeMetadata',
    properties: ['DefaultFormValue', 'IsEntityReferenceStored'],
    navigation: ENUM_NAVIGATION,
  },
  Boolean: {
    name: 'BooleanAttributeMetadata',
    properties: ['DefaultValue', 'FormulaDefinition', 'SourceTypeMask'],
    navigation: ENUM_NAVIGATION,
  },
  Integer: {
    name: 'IntegerAttributeMetadata',
    properties: ['Format', 'FormulaDefinition', 'MaxValue', 'MinValue', 'SourceTypeMask'],
  },
  DateTime: {
    name: 'DateTimeAttributeMetadata',
    properties: [
      'CanChangeDateTimeBehavior',
      'DateTimeBehavior',
      'Format',
      'FormulaDefinition',
      'ImeMode',
      'MaxSupportedValue',
      'MinSupportedValue',
      'SourceTypeMask',
    ],
  },
  Customer: { name: 'LookupAttributeMetadata', properties: ['Format', 'Targets'] },
  Lookup: { name: 'LookupAttributeMetadata', properties: ['Format', 'Targets'] },
  Owner: { name: 'LookupAttributeMetadata', properties: ['Format', 'Targets'] },
  Uniqueidentifier: { name: 'UniqueIdentifierAttributeMetadata', properties: [] },
};

/** AttributeMetadata itself: what an uncast path can select. */
export const ATTRIBUTE_METADATA: AttributeTypeInfo = {
  name: 'AttributeMetadata',
  properties: BASE,
  navigation: [],
};

export function attributeType(type: ColumnType): AttributeTypeInfo {
  const derived = DERIVED[type];
  return {
    name: derived.name,
    properties: [...BASE, ...derived.properties],
    navigation: derived.navigation ?? [],
  };
}

/** The derived type a cast segment names (`Microsoft.Dynamics.CRM.<name>`), if the sandbox knows it. */
export function typeByName(name: string): AttributeTypeInfo | undefined {
  const entry = Object.entries(DERIVED).find(([, d]) => d.name === name);
  return entry ? attributeType(entry[0] as ColumnType) : undefined;
}
