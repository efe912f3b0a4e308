/**
 * The insights columns the solution defines on Case are exactly the ones the relay writes
 * (webhook-relay/src/insights/columns.ts): names, types, the choices' option values (under the publisher's
 * option-value prefix) and a label in every language the solution ships, as solution.test.ts compares the
 * security role with webhook-relay/src/admin/role.ts.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { XMLParser } from 'fast-xml-parser';
import { describe, expect, it } from 'vitest';
import {
  CALLER_VERIFICATION,
  INSIGHTS_CHOICES,
  INSIGHTS_COLUMNS,
  NEGATIVE_SENTIMENTS,
  SENTIMENT_AT_HANDOFF,
} from '../../webhook-relay/src/insights/columns.js';

const root = path.resolve(import.meta.dirname, '../..');
const source = (file: string) => readFileSync(path.join(root, 'solution/insights/Other', file), 'utf8');
const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@',
  parseTagValue: false,
  isArray: (name) => ['attribute', 'option', 'label', 'displayname', 'Description'].includes(name),
});
type Xml = Record<string, unknown>;
const LANGUAGES = ['1033', '1036', '1025'];

const customizations = parser.parse(source('Customizations.xml')) as Xml;
const entity = ((customizations.ImportExportXml as Xml).Entities as Xml).Entity as Xml;
const attributes = (((entity.EntityInfo as Xml).entity as Xml).attributes as Xml).attribute as Xml[];
const byName = new Map(attributes.map((a) => [String(a.LogicalName), a]));
const optionsOf = (logicalName: string) =>
  (((byName.get(logicalName)?.optionset as Xml | undefined)?.options as Xml | undefined)?.option ??
    []) as Xml[];
const languagesOf = (entries: Xml[]) => entries.map((e) => String(e['@languagecode'])).sort();
const nonEmpty = (entries: Xml[]) => entries.every((e) => String(e['@description']).trim().length > 0);

describe('the insights columns on Case', () => {
  it('are on Case (incident), and are exactly the columns the relay writes', () => {
    expect(String((entity.Name as Xml)['#text']).toLowerCase()).toBe('incident');
    expect([...byName.keys()].sort()).toEqual(Object.values(INSIGHTS_COLUMNS).sort());
    for (const attribute of attributes) {
      // PhysicalName is the schema name; its lower case is the logical name (as exports write them).
      expect(String(attribute['@PhysicalName']).toLowerCase()).toBe(attribute.LogicalName);
      expect(attribute.Name).toBe(attribute.LogicalName);
    }
  });

  it('have the types the relay writes: text (MaxLength 100), date and time, choices, whole numbers', () => {
    const typeOf = (name: string) => String(byName.get(name)?.Type);
    expect(typeOf(INSIGHTS_COLUMNS.sessionId)).toBe('nvarchar');
    expect(byName.get(INSIGHTS_COLUMNS.sessionId)?.MaxLength).toBe('100');
    expect(typeOf(INSIGHTS_COLUMNS.handoffOn)).toBe('datetime');
    // User local: stored in UTC, shown in each user's time zone (export value 1, as createdon).
    expect(byName.get(INSIGHTS_COLUMNS.handoffOn)?.Behavior).toBe('1');
    for (const choice of INSIGHTS_CHOICES) expect(typeOf(choice.logicalName)).toBe('picklist');
    for (const name of [INSIGHTS_COLUMNS.turnsBeforeHandoff, INSIGHTS_COLUMNS.aiHandlingSeconds]) {
      expect(typeOf(name)).toBe('int');
      expect(byName.get(name)?.MinValue).toBe('0');
    }
  });

  it.each(INSIGHTS_CHOICES.map((c) => [c.logicalName, c] as const))(
    '%s has exactly the option values the relay maps OpenCX codes to, its "other" included',
    (logicalName, choice) => {
      const values = optionsOf(logicalName).map((o) => Number(o['@value']));
      expect(values).toEqual([...new Set([...Object.values(choice.options), choice.other])].sort());
    },
  );

  it("puts every option value under the publisher's option-value prefix", () => {
    const prefix = /<CustomizationOptionValuePrefix>(\d+)<\/CustomizationOptionValuePrefix>/.exec(
      source('Solution.xml'),
    )?.[1];
    expect(prefix).toBe('67263');
    for (const choice of INSIGHTS_CHOICES) {
      for (const option of optionsOf(choice.logicalName))
        expect(String(option['@value'])).toMatch(new RegExp(`^${prefix}\\d{4}$`));
    }
  });

  it('names and describes every column and labels every option in English, French and Arabic', () => {
    for (const attribute of attributes) {
      const names = (attribute.displaynames as Xml).displayname as Xml[];
      const descriptions = (attribute.Descriptions as Xml).Description as Xml[];
      expect(languagesOf(names), String(attribute.LogicalName)).toEqual([...LANGUAGES].sort());
      expect(languagesOf(descriptions), String(attribute.LogicalName)).toEqual([...LANGUAGES].sort());
      expect(nonEmpty(names) && nonEmpty(descriptions)).toBe(true);
    }
    for (const choice of INSIGHTS_CHOICES) {
      for (const option of optionsOf(choice.logicalName)) {
        const labels = (option.labels as Xml).label as Xml[];
        expect(languagesOf(labels)).toEqual([...LANGUAGES].sort());
        expect(nonEmpty(labels)).toBe(true);
      }
    }
  });

  it('has an English label for each negative sentiment the views count', () => {
    const english = new Map(
      optionsOf(SENTIMENT_AT_HANDOFF.logicalName).map((o) => [
        Number(o['@value']),
        ((o.labels as Xml).label as Xml[]).find((l) => l['@languagecode'] === '1033')?.['@description'],
      ]),
    );
    expect(NEGATIVE_SENTIMENTS.map((code) => english.get(SENTIMENT_AT_HANDOFF.options[code]))).toEqual([
      'Angry',
      'Frustrated',
      'Negative',
    ]);
    // "none" is both an OpenCX code and the fallback: one option, not two.
    expect(optionsOf(CALLER_VERIFICATION.logicalName)).toHaveLength(3);
  });
});
