/** The default seed: what a fresh Customer Service org plus our setup would hold. Ids are fixed for tests and the demo. */
import { caseFormXml } from './case-forms.js';
import type { Row } from './state.js';

export const SEED_IDS = {
  businessUnit: '7b0c0d6e-1c1a-4e5f-9d2a-000000000001',
  organization: '7b0c0d6e-1c1a-4e5f-9d2a-000000000002',
  /** The relay's application user (WhoAmI answers this id). */
  applicationUser: '7b0c0d6e-1c1a-4e5f-9d2a-0000000000a1',
  /** An enabled human user: the default owner. */
  owner: '7b0c0d6e-1c1a-4e5f-9d2a-0000000000b1',
  disabledUser: '7b0c0d6e-1c1a-4e5f-9d2a-0000000000b2',
  team: '7b0c0d6e-1c1a-4e5f-9d2a-0000000000c1',
  /** An access team: it cannot own records, so `setup` does not offer it. */
  accessTeam: '7b0c0d6e-1c1a-4e5f-9d2a-0000000000c2',
  voiceQueue: '7b0c0d6e-1c1a-4e5f-9d2a-0000000000d1',
  disabledQueue: '7b0c0d6e-1c1a-4e5f-9d2a-0000000000d2',
  /** The default owner's own queue (systemuser.queueid): where auto-route to the owner's queue puts cases. */
  ownerQueue: '7b0c0d6e-1c1a-4e5f-9d2a-0000000000d3',
  /** A queue the org's routing rules use (the sandbox's `org.routingRuleQueue` in tests). */
  triageQueue: '7b0c0d6e-1c1a-4e5f-9d2a-0000000000d4',
  /** The org's routing configuration rows, present as the sandbox's `org` option asks (org.ts routingRows). */
  routing: {
    /** An active legacy routing rule set (`org.routingRuleQueue`). */
    ruleSet: '7b0c0d6e-1c1a-4e5f-9d2a-000000000301',
    /** Cases as a record type of unified routing's record routing (`org.unifiedRouting.queue`). */
    caseRecordType: '7b0c0d6e-1c1a-4e5f-9d2a-000000000302',
    /** The record workstream for cases (`org.unifiedRouting.queue`). */
    workstream: '7b0c0d6e-1c1a-4e5f-9d2a-000000000303',
  },
  /** "Unidentified caller": the placeholder customer. */
  unidentifiedCaller: '7b0c0d6e-1c1a-4e5f-9d2a-0000000000e1',
  account: '7b0c0d6e-1c1a-4e5f-9d2a-0000000000f1',
  /** Case main forms: the multisession one carries the transcript control, the interactive one does not. */
  forms: {
    multisession: '7b0c0d6e-1c1a-4e5f-9d2a-000000000201',
    interactive: '7b0c0d6e-1c1a-4e5f-9d2a-000000000202',
  },
  contacts: {
    parenthesised: '7b0c0d6e-1c1a-4e5f-9d2a-000000000101',
    international: '7b0c0d6e-1c1a-4e5f-9d2a-000000000102',
    digits: '7b0c0d6e-1c1a-4e5f-9d2a-000000000103',
    e164: '7b0c0d6e-1c1a-4e5f-9d2a-000000000104',
    uk: '7b0c0d6e-1c1a-4e5f-9d2a-000000000105',
    inactive: '7b0c0d6e-1c1a-4e5f-9d2a-000000000106',
    withEmail: '7b0c0d6e-1c1a-4e5f-9d2a-000000000107',
  },
} as const;

export interface SeedData {
  [entitySet: string]: Row[];
}

const created = '2026-01-05T09:00:00.000Z';

function contact(id: string, firstname: string, lastname: string, extra: Row): Row {
  return {
    contactid: id,
    firstname,
    lastname,
    fullname: `${firstname} ${lastname}`.trim(),
    statecode: 0,
    statuscode: 1,
    createdon: created,
    modifiedon: created,
    _ownerid_value: SEED_IDS.owner,
    '_ownerid_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'systemuser',
    ...extra,
  };
}

/** An active main form of the Case table (systemform type 2), with the transcript control on these clients. */
export function caseForm(formid: string, name: string, transcriptOn: Array<'web' | 'tablet' | 'phone'>): Row {
  return {
    formid,
    name,
    objecttypecode: 'incident',
    type: 2,
    formactivationstate: 1,
    isdefault: false,
    formxml: caseFormXml({
      transcriptOn,
      placeholderCustomerId: SEED_IDS.unidentifiedCaller,
      idBase: `${formid.slice(0, -4)}f${formid.slice(-1)}`,
    }),
  };
}

export function defaultSeed(): SeedData {
  const c = SEED_IDS.contacts;
  return {
    systemusers: [
      {
        systemuserid: SEED_IDS.applicationUser,
        firstname: '#',
        lastname: 'OpenCX Relay',
        fullname: '# OpenCX Relay',
        internalemailaddress: 'opencx-relay@example.com',
        isdisabled: false,
        accessmode: 4,
      },
      {
        systemuserid: SEED_IDS.owner,
        firstname: 'Avery',
        lastname: 'Voice-Lead',
        fullname: 'Avery Voice-Lead',
        internalemailaddress: 'avery@example.com',
        isdisabled: false,
        accessmode: 0,
        _queueid_value: SEED_IDS.ownerQueue,
      },
      {
        systemuserid: SEED_IDS.disabledUser,
        firstname: 'Former',
        lastname: 'Employee',
        fullname: 'Former Employee',
        internalemailaddress: 'former@example.com',
        isdisabled: true,
        accessmode: 0,
      },
    ],
    teams: [
      { teamid: SEED_IDS.team, name: 'Voice team', teamtype: 0 },
      { teamid: SEED_IDS.accessTeam, name: 'Case reviewers', teamtype: 1 },
    ],
    systemforms: [
      caseForm(SEED_IDS.forms.multisession, 'Case for Multisession experience', ['web', 'tablet', 'phone']),
      caseForm(SEED_IDS.forms.interactive, 'Case for Interactive experience', []),
    ],
    queues: [
      { queueid: SEED_IDS.voiceQueue, name: 'Voice support', queueviewtype: 1, statecode: 0, statuscode: 1 },
      // Every user has a default queue named after them in angle brackets.
      {
        queueid: SEED_IDS.ownerQueue,
        name: '<Avery Voice-Lead>',
        queueviewtype: 1,
        statecode: 0,
        statuscode: 1,
      },
      { queueid: SEED_IDS.triageQueue, name: 'Triage', queueviewtype: 0, statecode: 0, statuscode: 1 },
      {
        queueid: SEED_IDS.disabledQueue,
        name: 'Old voice queue',
        queueviewtype: 1,
        statecode: 1,
        statuscode: 2,
      },
    ],
    accounts: [
      {
        accountid: SEED_IDS.account,
        name: 'Northwind Supplies',
        statecode: 0,
        statuscode: 1,
        createdon: created,
      },
    ],
    contacts: [
      contact(SEED_IDS.unidentifiedCaller, '', 'Unidentified caller', {
        fullname: 'Unidentified caller',
        description: 'Placeholder customer for calls whose caller is not known (OpenCX relay).',
      }),
      contact(c.parenthesised, 'Maria', 'Lopez', { telephone1: '(415) 555-0101' }),
      contact(c.international, 'Kenji', 'Watanabe', { mobilephone: '+1 415-555-0102' }),
      contact(c.digits, 'Priya', 'Raman', {
        telephone2: '4155550103',
        emailaddress1: 'priya.raman@example.com',
      }),
      contact(c.e164, 'Tom', 'Baker', { mobilephone: '+14155550104' }),
      contact(c.uk, 'Olivia', 'Hughes', { telephone1: '020 7946 0958' }),
      contact(c.inactive, 'Old', 'Record', { mobilephone: '+14155550105', statecode: 1, statuscode: 2 }),
      contact(c.withEmail, 'Dana', 'Whitfield', {
        emailaddress1: 'dana.whitfield@example.com',
        mobilephone: '+14155550134',
      }),
    ],
  };
}
