import { describe, expect, it } from 'vitest';
import { INSIGHTS_COLUMNS as C } from '../../src/insights/columns.js';
import { ALL_INSIGHTS_COLUMNS, INSIGHTS_TYPES, presentColumns } from '../../src/insights/installed.js';

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
    expect(presentColumns([...BASE, ...ours.reverse()]).columns).toEqual(ALL_INSIGHTS_COLUMNS);
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
