import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { parse, write } from '@opencx-d365/transcript-format';
import { headerFacts, readableReason } from '../../OpenCXTranscriptControl/model/header-facts';
import { allowedOrigin, sessionLinkOf } from '../../OpenCXTranscriptControl/model/session-link';
import {
  normaliseId,
  readIncidentId,
  refreshHostForm,
} from '../../OpenCXTranscriptControl/model/host-context';
import {
  disabledReason,
  isLinked,
  needsConfirmation,
  validateContact,
} from '../../OpenCXTranscriptControl/model/link-flow';
import { localeOf } from '../../OpenCXTranscriptControl/model/locale';
import { RowLayout } from '../../OpenCXTranscriptControl/model/row-layout';
import { findMatches, segmentsOf, stepMatch } from '../../OpenCXTranscriptControl/model/search';
import { loadStrings } from '../../OpenCXTranscriptControl/model/strings';
import { formatDay, formatTime } from '../../OpenCXTranscriptControl/model/time';
import { buildRows, buildView } from '../../OpenCXTranscriptControl/model/view-model';
import { downloadFileName } from '../../OpenCXTranscriptControl/model/export';
import { errorCodeOf, toFailure } from '../../OpenCXTranscriptControl/webapi/failures';
import { descriptionOf, longTranscript, transcript } from './fixtures';
import { resxStrings } from './harness';

const utc = { locale: 'en-US', offsetAt: () => 0 };
const strings = loadStrings((key) => resxStrings(1033)[key]);

describe('time', () => {
  it.each([
    ['en-US', 0, '2:02:11 PM'],
    ['en-GB', 60, '15:02:11'],
    ['de-DE', -300, '9:02:11'],
    ['ar-SA', 180, '٥:٠٢:١١ م'],
  ])('formats 14:02:11Z for %s with offset %i minutes', (locale, offset, expected) => {
    expect(formatTime('2026-11-24T14:02:11Z', { locale, offsetAt: () => offset })).toBe(expected);
  });

  it('asks the zone for the offset at each instant (daylight saving)', () => {
    const offsetAt = (d: Date) => (d.getUTCMonth() >= 3 && d.getUTCMonth() < 10 ? -420 : -480);
    expect(formatTime('2026-07-01T12:00:00Z', { locale: 'en-US', offsetAt })).toBe('5:00:00 AM');
    expect(formatTime('2026-12-01T12:00:00Z', { locale: 'en-US', offsetAt })).toBe('4:00:00 AM');
  });

  it('returns what it was given when it is not a timestamp', () => {
    expect(formatTime('yesterday', utc)).toBe('yesterday');
    expect(formatDay('2026-11-24T23:30:00Z', { locale: 'en-US', offsetAt: () => 60 })).toBe(
      'Wednesday, November 25, 2026',
    );
  });

  it.each([
    [1033, 'en-US'],
    [1036, 'fr-FR'],
    [1025, 'ar-SA'],
    [9999, 'en-US'],
    [undefined, 'en-US'],
  ])('maps LCID %s to %s', (lcid, tag) => expect(localeOf(lcid)).toBe(tag));
});

describe('view model', () => {
  it('puts the omission marker where turns were left out, and numbers turns as in the full transcript', () => {
    const parsed = parse(descriptionOf('phone-long-midnight', 2000));
    expect(parsed.kind).toBe('transcript');
    const view = buildView(parsed, utc);
    if (view.kind !== 'transcript' || parsed.kind !== 'transcript') throw new Error('not a transcript');
    const omission = parsed.omission!;
    const marker = view.rows.findIndex((r) => r.kind === 'omitted');
    const turnsBefore = view.rows.slice(0, marker).filter((r) => r.kind === 'turn');
    expect(turnsBefore).toHaveLength(omission.firstOmittedIndex);
    const after = view.rows.slice(marker).find((r) => r.kind === 'turn');
    expect(after && after.kind === 'turn' && after.index).toBe(
      omission.firstOmittedIndex + omission.omittedTurns,
    );
    expect(view.turnCount).toBe(transcript('phone-long-midnight').turns.length);
  });

  it('places the handoff divider between the turns before and after the handoff', () => {
    const t = transcript('phone-full-details');
    const rows = buildRows(
      { ...t, afterHandoff: [{ at: '2026-11-24T14:06:00Z', role: 'human_agent', name: 'Sam', text: 'Hi' }] },
      utc,
    );
    const divider = rows.findIndex((r) => r.kind === 'handoff');
    expect(rows.slice(0, divider).filter((r) => r.kind === 'turn')).toHaveLength(t.turns.length);
    expect(rows.slice(divider + 1).map((r) => r.kind)).toEqual(['turn']);
  });

  it('starts a new day where the rep’s calendar day changes, not UTC’s', () => {
    const t = {
      header: {},
      turns: [
        { at: '2026-11-24T23:59:00Z', role: 'contact' as const, text: 'a' },
        { at: '2026-11-25T00:01:00Z', role: 'ai' as const, text: 'b' },
      ],
    };
    expect(buildRows(t, utc).filter((r) => r.kind === 'day')).toHaveLength(2);
    expect(
      buildRows(t, { locale: 'en-US', offsetAt: () => -60 }).filter((r) => r.kind === 'day'),
    ).toHaveLength(1);
  });

  it('reads empty, plain and foreign descriptions without throwing', () => {
    expect(buildView(parse(''), utc).kind).toBe('empty');
    expect(buildView(parse('hello'), utc).kind).toBe('plain');
    fc.assert(fc.property(fc.string(), (text) => void buildView(parse(text), utc)));
  });
});

describe('header facts', () => {
  it('localises known channel and sentiment values and picks the badge tone', () => {
    const facts = headerFacts(
      { channel: 'phone_voice', sentiment: 'Angry', classification: ' ' },
      strings,
      utc,
    );
    expect(facts).toMatchObject({
      channel: 'Phone call',
      sentiment: { label: 'Angry', tone: 'danger' },
      title: 'Support',
    });
    expect(headerFacts({ sentiment: 'ecstatic', channel: 'fax' }, strings, utc)).toMatchObject({
      sentiment: { label: 'ecstatic', tone: 'informative' },
      channel: 'fax',
    });
  });

  it('never links anything but an https URL', () => {
    for (const url of ['javascript:alert(1)', 'data:text/html,x', 'https//x', ' ', undefined])
      expect(sessionLinkOf(url, undefined)).toBeUndefined();
    expect(headerFacts({ sessionUrl: 'javascript:alert(1)' }, strings, utc).sessionLink).toBeUndefined();
  });
  it.each([
    ['ai_decided_to_handoff_the_conversation', 'AI decided to handoff the conversation'],
    ['caller_asked_for_a_human', 'Caller asked for a human'],
    ['The caller asked for a person', 'The caller asked for a person'],
  ])('reads the reason %s as words', (reason, words) => expect(readableReason(reason)).toBe(words));

  it('shows redaction counts', () => {
    const facts = headerFacts({ redactions: { 'card number': 2, ssn: 0 } }, strings, utc);
    expect(facts.facts).toContainEqual({ label: 'Removed for privacy', value: '2 × card number' });
  });
});

describe('Open in OpenCX, to the allowed OpenCX address only', () => {
  it('links to OpenCX’s platform when the form sets no address', () => {
    expect(allowedOrigin(undefined)).toBe('https://platform.open.cx');
    expect(allowedOrigin('  ')).toBe('https://platform.open.cx');
    expect(sessionLinkOf('https://platform.open.cx/sessions/b9d8', undefined)).toEqual({
      kind: 'link',
      url: 'https://platform.open.cx/sessions/b9d8',
    });
  });

  it.each([
    ['https://evil.example/sessions/b9d8', 'evil.example'],
    ['https://platform.open.cx.evil.example/s', 'platform.open.cx.evil.example'],
    ['https://platform.open.cx@evil.example/s', 'evil.example'],
    ['https://platform.open.cx:8443/s', 'platform.open.cx:8443'],
    ['http://platform.open.cx/s', 'platform.open.cx'],
  ])('names %s as leading elsewhere, never as a link', (url, host) => {
    expect(sessionLinkOf(url, undefined)).toEqual({ kind: 'elsewhere', host });
  });

  it('takes the origin of the address the form sets: an origin or the relay’s session URL template', () => {
    const template = 'https://eu.open.cx/sessions/{session_id}';
    expect(allowedOrigin(template)).toBe('https://eu.open.cx');
    expect(sessionLinkOf('https://eu.open.cx/sessions/1', template)).toMatchObject({ kind: 'link' });
    expect(sessionLinkOf('https://platform.open.cx/sessions/1', 'https://eu.open.cx')).toEqual({
      kind: 'elsewhere',
      host: 'platform.open.cx',
    });
  });

  it('follows no link when the form’s address is not an https one', () => {
    for (const setting of ['http://platform.open.cx', 'platform.open.cx', 'javascript:alert(1)']) {
      expect(allowedOrigin(setting)).toBeUndefined();
      expect(sessionLinkOf('https://platform.open.cx/s/1', setting)).toEqual({
        kind: 'elsewhere',
        host: 'platform.open.cx',
      });
    }
  });
});

describe('search', () => {
  const rows = buildRows(transcript('tricky-text'), utc);

  it('finds case-insensitively and returns offsets into the original text', () => {
    const t = {
      header: {},
      turns: [{ at: '2026-11-24T14:00:00Z', role: 'contact' as const, text: 'İstanbul ISTANBUL istanbul' }],
    };
    const r = buildRows(t, utc);
    for (const m of findMatches(r, 'istanbul')) {
      const row = r[m.row];
      expect(row.kind === 'turn' && row.turn.text.slice(m.start, m.end).toLowerCase()).toMatch(
        /istanbul|i̇stanbul/,
      );
    }
  });

  it('treats regular-expression characters as text', () => {
    expect(() => findMatches(rows, '(*[')).not.toThrow();
    expect(findMatches(rows, '   ')).toEqual([]);
  });

  it('splits text into segments that put the text back together', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1, maxLength: 3 }), (text, query) => {
        const t = { header: {}, turns: [{ at: '2026-11-24T14:00:00Z', role: 'ai' as const, text }] };
        const r = buildRows(t, utc);
        const matches = findMatches(r, query);
        expect(
          segmentsOf(text, matches, matches[0])
            .map((s) => s.text)
            .join(''),
        ).toBe(text);
      }),
    );
  });

  it.each([
    [-1, 3, 1, 0],
    [-1, 3, -1, 2],
    [2, 3, 1, 0],
    [0, 3, -1, 2],
    [0, 0, 1, -1],
  ] as const)('steps from %i of %i by %i to %i', (current, count, direction, expected) => {
    expect(stepMatch(current, count, direction)).toBe(expected);
  });
});

describe('row layout', () => {
  it('finds the rows in view with estimated and measured heights', () => {
    const layout = new RowLayout(1000, 40);
    expect(layout.totalHeight()).toBe(40_000);
    expect(layout.visibleRange(0, 400, 0)).toEqual({ start: 0, end: 10 });
    expect(layout.visibleRange(4000, 400, 5)).toEqual({ start: 95, end: 115 });
    layout.setHeight(0, 400);
    expect(layout.visibleRange(0, 400, 0)).toEqual({ start: 0, end: 1 });
    expect(layout.offsetOf(2)).toBe(440);
    expect(layout.setHeight(0, 400)).toBe(false);
    expect(layout.centredScrollTop(999, 400)).toBe(layout.totalHeight() - 400);
  });

  it('agrees with a linear scan for any heights', () => {
    fc.assert(
      fc.property(
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 300 }),
        fc.nat(20_000),
        (heights, top) => {
          const layout = new RowLayout(heights.length, 44);
          heights.forEach((h, i) => layout.setHeight(i, h));
          const { start } = layout.visibleRange(top, 1, 0);
          let y = 0;
          let expected = 0;
          for (let i = 0; i < heights.length; i++) {
            if (y <= top) expected = i;
            y += heights[i];
          }
          expect(start).toBe(expected);
        },
      ),
    );
  });
});

describe('host context', () => {
  it('reads the record id in the Web API’s form', () => {
    expect(normaliseId('{6A1F1E4E-8A55-5B0E-9D7E-3F3C1B2A9D01}')).toBe(
      '6a1f1e4e-8a55-5b0e-9d7e-3f3c1b2a9d01',
    );
    expect(normaliseId('not an id')).toBeUndefined();
    expect(readIncidentId({ contextInfo: {} }, '6a1f1e4e-8a55-5b0e-9d7e-3f3c1b2a9d01')).toBe(
      '6a1f1e4e-8a55-5b0e-9d7e-3f3c1b2a9d01',
    );
    expect(readIncidentId(undefined, null)).toBeUndefined();
  });

  it('refreshes a model-driven form when there is one', () => {
    const calls: boolean[] = [];
    expect(refreshHostForm({ Xrm: { Page: { data: { refresh: (s: boolean) => calls.push(s) } } } })).toBe(
      true,
    );
    expect(calls).toEqual([false]);
    expect(refreshHostForm({})).toBe(false);
  });
});

describe('link flow decisions', () => {
  const placeholder = { id: 'p', entity: 'contact', name: 'Unidentified caller' };
  const dana = { id: 'd', entity: 'contact', name: 'Dana' };

  it('counts the placeholder (by id, else by name) as not linked', () => {
    expect(isLinked(placeholder, 'P')).toBe(false);
    expect(isLinked(placeholder, undefined)).toBe(false);
    expect(isLinked(dana, 'p')).toBe(true);
    expect(isLinked(undefined, 'p')).toBe(false);
  });

  it('asks before replacing a real customer, not the placeholder nor the same contact', () => {
    expect(needsConfirmation(dana, 'p', 'x')).toBe(true);
    expect(needsConfirmation(dana, 'p', 'D')).toBe(false);
    expect(needsConfirmation(placeholder, 'p', 'x')).toBe(false);
  });

  it('gives the first reason the action is unavailable', () => {
    expect(disabledReason({ offline: true, readOnly: true, canLink: false })).toBe('Link_Disabled_Offline');
    expect(
      disabledReason({ incidentId: 'i', offline: false, readOnly: false, canLink: true }),
    ).toBeUndefined();
  });

  it('validates a new contact', () => {
    expect(
      validateContact({ firstname: '', lastname: 'Ohene', email: '', phone: '+14155550178' }, undefined),
    ).toEqual({});
    expect(validateContact({ firstname: '', lastname: ' ', email: 'a@b', phone: '12' }, 'US')).toEqual({
      lastname: 'Link_LastName_Required',
      email: 'Link_Email_Invalid',
      phone: 'Link_PhoneInvalid',
    });
  });
});

describe('Web API failures', () => {
  it.each([
    [{ errorCode: 0x80040220, message: 'missing prvWriteIncident' }, 'permission', '0x80040220'],
    [{ errorCode: -2147220960, message: 'signed form of the same code' }, 'permission', '0x80040220'],
    [{ code: '0x80040217', message: 'Does Not Exist' }, 'not-found', '0x80040217'],
    [new TypeError('Failed to fetch'), 'network', undefined],
    [{ status: 403, message: 'Forbidden' }, 'permission', undefined],
    ['weird', 'other', undefined],
  ])('classifies %o as %s', (error, kind, code) => {
    expect(toFailure(error)).toMatchObject({ kind, code });
  });

  it('reads codes in every form', () => {
    expect(errorCodeOf({ errorCode: '80040237' })).toBe(0x80040237);
    expect(errorCodeOf(undefined)).toBeUndefined();
  });
});

describe('download name', () => {
  it('is safe for any file system', () => {
    expect(downloadFileName('bca127b0-a251')).toBe('opencx-transcript-bca127b0-a251.txt');
    expect(downloadFileName('../../etc/passwd')).toBe('opencx-transcript-..-..-etc-passwd.txt');
    expect(downloadFileName(undefined)).toBe('opencx-transcript.txt');
  });
});

describe('the description round trip the control relies on', () => {
  it('parses what the relay writes for a 2,000-turn call', () => {
    const text = write(longTranscript(2000));
    const parsed = parse(text);
    expect(parsed.kind === 'transcript' && parsed.transcript.turns).toHaveLength(2000);
  });
});
