import { describe, expect, it } from 'vitest';
import { INSIGHTS_COLUMNS as C } from '../../src/insights/columns.js';
import { DataverseRequestError, type DataverseClient } from '../../src/dataverse/client.js';
import { classify } from '../../src/dataverse/errors.js';
import {
  ALL_INSIGHTS_COLUMNS,
  INSIGHTS_TYPES,
  presentColumns,
  readInstalledInsights,
} from '../../src/insights/installed.js';

const attribute = (LogicalName: string, AttributeType: string, IsValidForCreate = true) => ({
  LogicalName,
  AttributeType,
  IsValidForCreate,
});
const BASE = [attribute('incidentid', 'Uniqueidentifier'), attribute('title', 'String')];
const ours = ALL_INSIGHTS_COLUMNS.map((column) => attribute(column, INSIGHTS_TYPES[column] ?? ''));

describe('presentColumns', () => {
  it('none: an org without the solution', () => {
    expect(presentColumns(BASE)).toEqual({ columns: [], mismatched: [] });
  });

  it('all: every column, in the contract order whatever order the org lists them', () => {
    expect(presentColumns([...BASE, ...[...ours].reverse()]).columns).toEqual(ALL_INSIGHTS_COLUMNS);
  });

  it('some: the ones there', () => {
    expect(
      presentColumns([...BASE, attribute(C.channel, 'Picklist'), attribute(C.handoffOn, 'DateTime')]).columns,
    ).toEqual([C.handoffOn, C.channel]);
  });

  it('a column under our name with another type, or not settable on create, is never written', () => {
    const found = presentColumns([
      ...BASE,
      attribute(C.sessionId, 'Memo'),
      attribute(C.turnsBeforeHandoff, 'Integer', false),
      attribute(C.channel, 'Picklist'),
    ]);
    expect(found.columns).toEqual([C.channel]);
    expect(found.mismatched).toEqual([
      { column: C.sessionId, found: 'Memo', expected: 'String' },
      { column: C.turnsBeforeHandoff, found: 'Integer, not valid for create', expected: 'Integer' },
    ]);
  });
});

describe('readInstalledInsights', () => {
  it("reads each choice's options on its own when the environment refuses the filtered read (400)", async () => {
    const paths: string[] = [];
    const client: DataverseClient = {
      get<T>(path: string) {
        paths.push(decodeURIComponent(path));
        if (path.includes('$filter'))
          return Promise.reject(
            new DataverseRequestError(classify(400, '0x0', 'Invalid filter on metadata')),
          );
        if (path.includes('MaxLength')) return Promise.resolve({ MaxLength: 80 } as T);
        return Promise.resolve({ OptionSet: { Options: [{ Value: 672630000 }] } } as T);
      },
      batch: () => Promise.reject(new Error('no batch')),
      post: () => Promise.reject(new Error('no post')),
    };
    const installed = await readInstalledInsights(client, [...BASE, ...ours]);
    expect(installed.sessionIdMaxLength).toBe(80);
    expect(installed.options[C.channel]).toEqual([672630000]);
    expect(paths.filter((p) => p.includes("Attributes(LogicalName='opencx_"))).toHaveLength(5);
  });

  it('lets a transient failure through, for the delivery gate to wait out', async () => {
    const client: DataverseClient = {
      get: () => Promise.reject(new DataverseRequestError(classify(503, '', 'down'))),
      batch: () => Promise.reject(new Error('no batch')),
      post: () => Promise.reject(new Error('no post')),
    };
    await expect(readInstalledInsights(client, ours)).rejects.toThrow(/503/);
  });
});
