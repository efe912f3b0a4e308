/**
 * The tables that say how an org routes cases, as far as `verify` and `setup` read them: legacy routing rule
 * sets, and unified routing's record types and workstreams. Unified routing's tables exist only in an org that
 * has provisioned it (the sandbox's `org.unifiedRouting`); elsewhere their entity sets are unknown segments.
 */
import type { TableMetadata } from './metadata-types.js';

const id = { type: 'Uniqueidentifier', create: true, update: false } as const;
const name = (maxLength: number) => ({ type: 'String', create: true, update: true, maxLength }) as const;
const activeInactive = (inactive: string) =>
  ({
    type: 'State',
    create: false,
    update: true,
    options: { '0': 'Active', '1': inactive },
  }) as const;

export const ROUTING_TABLES: Record<string, TableMetadata> = {
  // RoutingRule entity reference (Routing Rule Set): entity set routingrules; StateCode 0 Draft, 1 Active.
  routingrule: {
    entitySet: 'routingrules',
    primaryKey: 'routingruleid',
    primaryName: 'name',
    objectTypeCode: 8181,
    columns: {
      routingruleid: id,
      name: name(100),
      statecode: { type: 'State', create: false, update: true, options: { '0': 'Draft', '1': 'Active' } },
    },
  },
  // Master Entity Routing Configuration (msdyn_masterentityroutingconfiguration) table reference: a record type
  // added on the Record routing page (Set up unified routing for records); msdyn_entitylogicalname names it.
  msdyn_masterentityroutingconfiguration: {
    entitySet: 'msdyn_masterentityroutingconfigurations',
    primaryKey: 'msdyn_masterentityroutingconfigurationid',
    primaryName: 'msdyn_name',
    objectTypeCode: null,
    columns: {
      msdyn_masterentityroutingconfigurationid: id,
      msdyn_name: name(200),
      msdyn_entitylogicalname: name(400),
      statecode: activeInactive('Inactive'),
    },
  },
  // Work Stream (msdyn_liveworkstream) table reference: msdyn_streamsource 192350000 Entity Records (a record
  // workstream), msdyn_masterentityroutingconfigurationid its record type, msdyn_defaultqueue its default queue.
  msdyn_liveworkstream: {
    entitySet: 'msdyn_liveworkstreams',
    primaryKey: 'msdyn_liveworkstreamid',
    primaryName: 'msdyn_name',
    objectTypeCode: null,
    columns: {
      msdyn_liveworkstreamid: id,
      msdyn_name: name(100),
      msdyn_streamsource: {
        type: 'Picklist',
        create: true,
        update: true,
        options: { '192350000': 'Entity Records' },
      },
      msdyn_masterentityroutingconfigurationid: {
        type: 'Lookup',
        create: true,
        update: true,
        targets: ['msdyn_masterentityroutingconfiguration'],
      },
      msdyn_defaultqueue: { type: 'Lookup', create: true, update: true, targets: ['queue'] },
      statecode: activeInactive('Inactive'),
    },
  },
};

/** Entity sets that exist only where unified routing is provisioned. */
export const UNIFIED_ROUTING_SETS = new Set([
  'msdyn_masterentityroutingconfigurations',
  'msdyn_liveworkstreams',
]);
