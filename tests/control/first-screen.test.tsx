/**
 * The rep's first screen (issue 21): the handoff brief, where the log opens, Jump to handoff / Latest,
 * the header folded on a phone, rows that say where they are, verified/stated marks, and the caller
 * looked up as the case opens.
 */
import * as React from 'react';
import { describe, expect, it } from 'vitest';
import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { write, type Transcript } from '@opencx-d365/transcript-format';
import { HandoffBrief } from '../../OpenCXTranscriptControl/components/HandoffBrief';
import { HeaderCard } from '../../OpenCXTranscriptControl/components/HeaderCard';
import { handoffBriefOf } from '../../OpenCXTranscriptControl/model/first-screen';
import { headerFacts } from '../../OpenCXTranscriptControl/model/header-facts';
import { repCountryOf } from '../../OpenCXTranscriptControl/model/rep-country';
import { loadStrings } from '../../OpenCXTranscriptControl/model/strings';
import { callerTrust, trustNotices } from '../../OpenCXTranscriptControl/model/verification';
import { buildRows } from '../../OpenCXTranscriptControl/model/view-model';
import { descriptionOf, longTranscript, transcript } from './fixtures';
import { renderControl, resxStrings } from './harness';
import { manualTicker } from './manual-ticker';
import { recordingWebApi, type Handlers, type WebApiCall } from './recording-web-api';

const UTC = { locale: 'en-US', offsetAt: () => 0 };
const PLACEHOLDER = '7b0c0d6e-1c1a-4e5f-9d2a-0000000000e1';
const MARCUS = { contactid: 'c0000000-0000-4000-8000-000000000011', fullname: 'Marcus Ohene' };
const MARCUS_ROW = { ...MARCUS, mobilephone: '+14155550178' };
const OTHER_ROW = { contactid: 'c0000000-0000-4000-8000-000000000012', fullname: 'Mark Ohene' };

describe('the handoff brief', () => {
  it('quotes the caller’s and the AI’s last turns before the handoff, with the summary and the sentiment at handoff', () => {
    renderControl({ description: descriptionOf('phone-full-details') });
    const brief = screen.getByRole('region', { name: 'At handoff' });
    expect(brief).toHaveTextContent(/order 1182 delivered to her office/);
    expect(within(brief).getByText('Sentiment at handoff: Neutral')).toBeInTheDocument();
    const t = transcript('phone-full-details');
    const last = (role: string) => t.turns.filter((turn) => turn.role === role).at(-1)!.text;
    expect(within(brief).getByRole('button', { name: /^Caller's last words:/ })).toHaveTextContent(
      last('contact'),
    );
    expect(within(brief).getByRole('button', { name: /^AI's last words:/ })).toHaveTextContent(last('ai'));
    // The summary leads the brief; the header card no longer repeats it.
    expect(screen.getAllByText(/order 1182 delivered to her office/)).toHaveLength(1);
  });

  it('says how long ago the handoff was and ticks on the rep’s clock', () => {
    // phone-full-details was handed off at 14:05:09Z.
    const ticker = manualTicker('2026-11-24T14:09:30Z');
    const { unmount } = renderControl({ description: descriptionOf('phone-full-details'), ticker });
    const brief = screen.getByRole('region', { name: 'At handoff' });
    expect(within(brief).getByText('Handed off 4 minutes ago')).toHaveAttribute(
      'datetime',
      '2026-11-24T14:05:09Z',
    );
    ticker.advance(60_000);
    expect(within(brief).getByText('Handed off 5 minutes ago')).toBeInTheDocument();
    ticker.advance(2 * 3_600_000);
    expect(within(brief).getByText('Handed off 2 hours ago')).toBeInTheDocument();
    unmount();
    expect(ticker.listening).toBe(0);
  });

  it('speaks the rep’s language', () => {
    renderControl({
      description: descriptionOf('phone-full-details'),
      languageId: 1036,
      ticker: manualTicker('2026-11-24T14:09:30Z'),
    });
    const brief = screen.getByRole('region', { name: 'Au transfert' });
    expect(within(brief).getByText('Transféré il y a 4 minutes')).toBeInTheDocument();
  });

  it('goes to a quoted turn in the log and focuses it', async () => {
    const user = userEvent.setup();
    const t = longTranscript(600);
    renderControl({ description: write(t) });
    const log = screen.getByRole('log');
    await user.click(screen.getByRole('button', { name: /^Caller's last words:/ }));
    const row = document.activeElement as HTMLElement;
    expect(log.contains(row)).toBe(true);
    expect(row).toHaveTextContent(t.turns.at(-2)!.text);
  });
});

describe('where the log opens', () => {
  it('opens at the handoff divider with the turns before it, not at the first turn', () => {
    renderControl({ description: write(longTranscript(2000)) });
    const log = screen.getByRole('log');
    expect(within(log).getByText(/^Handed off to a person/)).toBeInTheDocument();
    expect(within(log).getByText(/parcel 2999$/)).toBeInTheDocument();
    expect(within(log).queryByText(/parcel 1000$/)).not.toBeInTheDocument();
  });

  it('numbers every rendered row within the whole transcript', () => {
    renderControl({ description: write(longTranscript(2000)) });
    const items = within(screen.getByRole('log')).getAllByRole('listitem');
    expect(items.length).toBeLessThan(60);
    // 2,000 turns, the day separator and the handoff divider.
    for (const item of items) expect(item).toHaveAttribute('aria-setsize', '2002');
    const divider = items.find((item) => /^Handed off to a person/.test(item.textContent ?? ''))!;
    expect(divider).toHaveAttribute('aria-posinset', '2002');
    const positions = items.map((item) => Number(item.getAttribute('aria-posinset')));
    expect(positions).toEqual(positions.map((_, i) => positions[0] + i));
  });

  it('reaches Latest and Jump to handoff by keyboard, and each moves focus to its row', async () => {
    const user = userEvent.setup();
    const t = longTranscript(400);
    t.afterHandoff = Array.from({ length: 40 }, (_, i) => ({
      at: `2026-11-24T15:${String(i).padStart(2, '0')}:00Z`,
      role: 'human_agent' as const,
      text: `After the handoff ${i + 1}`,
    }));
    renderControl({ description: write(t) });
    const log = screen.getByRole('log');
    // Tab order is checked in Chromium (tests/browser/first-screen.test.ts): jsdom with Fluent's focus
    // management (tabster) does not model it. Here: Enter on each button, and where focus goes.
    screen.getByRole('button', { name: 'Latest' }).focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(document.activeElement).toHaveTextContent('After the handoff 40'));
    expect(log.contains(document.activeElement)).toBe(true);
    expect(document.activeElement).toHaveAttribute(
      'aria-posinset',
      document.activeElement!.getAttribute('aria-setsize'),
    );
    screen.getByRole('button', { name: 'Jump to handoff' }).focus();
    await user.keyboard('{Enter}');
    await waitFor(() => expect(document.activeElement).toHaveTextContent(/^Handed off to a person/));
    // A focused row is not a tab stop: focus is never trapped in the log.
    expect(document.activeElement).toHaveAttribute('tabindex', '-1');
  });

  it('offers no Jump to handoff when the transcript marks none', () => {
    const t = longTranscript(20);
    delete t.header.handoffAt;
    delete t.header.handoffReason;
    renderControl({ description: write(t) });
    expect(screen.queryByRole('button', { name: 'Jump to handoff' })).not.toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Latest' })).toBeInTheDocument();
  });
});

describe('the header on a phone', () => {
  it('folds the call facts into a disclosure, closed, so the brief comes first', async () => {
    const user = userEvent.setup();
    const { container } = renderControl({
      description: descriptionOf('phone-full-details'),
      allocatedWidth: 375,
    });
    const details = container.querySelector('details')!;
    expect(details).not.toHaveAttribute('open');
    const summary = within(details).getByText('Call details');
    await user.click(summary);
    expect(details).toHaveAttribute('open');
    expect(
      within(details)
        .getAllByRole('definition')
        .map((d) => d.textContent),
    ).toContain('Dana Whitfield');
  });

  it('shows the facts as they were on a wide form', () => {
    const { container } = renderControl({ description: descriptionOf('phone-full-details') });
    expect(container.querySelector('details')).toBeNull();
  });
});

/** A transcript whose header says what OpenCX verified (i21a's writer adds it to the text; built directly here). */
function verifiedTranscript(
  verification: NonNullable<Transcript['header']['customer']>['verification'],
  contactMatch?: Transcript['header']['contactMatch'],
): Transcript {
  const t = transcript('phone-full-details');
  t.header.customer = { ...t.header.customer, verification };
  t.header.contactMatch = contactMatch;
  return t;
}

function renderFirstScreen(t: Transcript, lcid = 1033) {
  const strings = loadStrings((key) => resxStrings(lcid)[key]);
  const facts = headerFacts(t.header, strings, UTC, { repCountry: repCountryOf(undefined, UTC.locale) });
  const trust = callerTrust(t.header);
  const notices = trustNotices(trust, strings);
  return render(
    <FluentProvider theme={webLightTheme}>
      <HeaderCard facts={facts} strings={strings} narrow={false} marks={trust.marks} />
      <HandoffBrief
        brief={handoffBriefOf(t.header, buildRows(t, UTC))}
        notices={notices}
        strings={strings}
        clock={UTC}
        ticker={manualTicker('2026-11-24T15:00:00Z')}
        narrow={false}
        onGoToRow={() => undefined}
      />
    </FluentProvider>,
  );
}

const valueOf = (label: string) => screen.getByText(label, { selector: 'dt' }).nextElementSibling!;

describe('verified or stated caller details', () => {
  it('marks each detail the header speaks for', () => {
    renderFirstScreen(verifiedTranscript({ name: 'stated', phone: 'verified', email: 'stated' }));
    expect(valueOf('Caller name')).toHaveTextContent('Dana Whitfieldstated by the caller');
    expect(valueOf('Caller phone')).toHaveTextContent('(415) 555-0134verified by OpenCX');
    expect(valueOf('Caller email')).toHaveTextContent('dana.whitfield@example.comstated by the caller');
    expect(screen.queryByText(/OpenCX verified none/)).not.toBeInTheDocument();
  });

  it('says so when nothing about the caller was verified', () => {
    renderFirstScreen(verifiedTranscript({ name: 'stated', phone: 'stated', email: 'stated' }));
    const brief = screen.getByRole('region', { name: 'At handoff' });
    expect(brief).toHaveTextContent(/OpenCX verified none of the caller's details/);
  });

  it('claims nothing on an older transcript that does not say', () => {
    const { container } = renderFirstScreen(verifiedTranscript(undefined, 'email'));
    expect(container.querySelector('[data-verification]')).toBeNull();
    expect(screen.queryByText(/verified by OpenCX|stated by the caller|OpenCX verified none/)).toBeNull();
  });

  it('says when the case was linked through an email the caller only stated', () => {
    renderFirstScreen(verifiedTranscript({ email: 'stated', phone: 'verified' }, 'email'));
    expect(screen.getByRole('region', { name: 'At handoff' })).toHaveTextContent(
      /linked to a contact through an email the caller stated/,
    );
  });

  it('marks in Arabic', () => {
    renderFirstScreen(verifiedTranscript({ name: 'verified' }), 1025);
    expect(screen.getByText('تحقّق منه OpenCX')).toHaveAttribute('dir', 'auto');
  });
});

const contactSearches = (calls: WebApiCall[]) =>
  calls.filter((c) => c.method === 'retrieveMultipleRecords' && c.entity === 'contact');

/** A case on the placeholder customer (or `customerId`), with handlers for the rest. */
function caseApi(handlers: Handlers = {}, customerId = PLACEHOLDER) {
  return recordingWebApi({
    retrieve: (entity) =>
      entity === 'incident'
        ? {
            _customerid_value: customerId,
            '_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'contact',
            '_customerid_value@OData.Community.Display.V1.FormattedValue':
              customerId === PLACEHOLDER ? 'Unidentified caller' : 'Marcus Ohene',
          }
        : { fullname: 'Unidentified caller' },
    ...handlers,
  });
}

const OPEN_CASES = [
  {
    incidentid: 'd0000000-0000-4000-8000-000000000001',
    title: 'Router replacement',
    ticketnumber: 'CAS-1001',
  },
];

describe('the caller, looked up as the case opens', () => {
  it('shows the one contact with the number, its open cases and Link, before any click — and searches once', async () => {
    const opened: string[] = [];
    const webAPI = caseApi({
      retrieveMultiple: (entity) =>
        entity === 'contact' ? [MARCUS_ROW] : entity === 'incident' ? OPEN_CASES : [],
    });
    const rendered = renderControl({
      description: descriptionOf('phone-no-email'),
      placeholderCustomerId: PLACEHOLDER,
      webAPI,
      openForm: ({ entityId }) => {
        opened.push(entityId);
        return Promise.resolve({});
      },
    });
    const section = screen.getByRole('region', { name: 'Link contact by phone' });
    await within(section).findByText('One contact has this number:');
    expect(section).toHaveTextContent('Marcus Ohene · no email · +14155550178');
    const link = await within(section).findByRole('link', { name: 'CAS-1001 · Router replacement' });
    expect(link).toHaveAttribute(
      'href',
      '/main.aspx?pagetype=entityrecord&etn=incident&id=d0000000-0000-4000-8000-000000000001',
    );
    expect(within(section).getByRole('button', { name: 'Link to this case' })).toBeEnabled();
    const openCases = webAPI.calls.filter(
      (c) => c.method === 'retrieveMultipleRecords' && c.entity === 'incident',
    );
    expect(openCases).toEqual([
      expect.objectContaining({
        filter: `statecode eq 0 and _customerid_value eq ${MARCUS.contactid}`,
        options: expect.stringContaining('$orderby=createdon desc&$top=5') as string,
      }),
    ]);
    // The form calls updateView again on resizes and notifications: no second lookup.
    rendered.update({ allocatedWidth: 700 });
    rendered.update({ allocatedWidth: 900, offsetMinutes: 60 });
    await userEvent.setup().click(link);
    expect(opened).toEqual(['d0000000-0000-4000-8000-000000000001']);
    expect(contactSearches(webAPI.calls)).toHaveLength(1);
    // Nothing was written: linking stays the rep's click.
    expect(webAPI.calls.filter((c) => c.method === 'createRecord' || c.method === 'updateRecord')).toEqual(
      [],
    );
  });

  it('offers the choice when several contacts share the number', async () => {
    const webAPI = caseApi({
      retrieveMultiple: (entity) => (entity === 'contact' ? [MARCUS_ROW, OTHER_ROW] : []),
    });
    renderControl({
      description: descriptionOf('phone-no-email'),
      placeholderCustomerId: PLACEHOLDER,
      webAPI,
    });
    expect(
      await screen.findByRole('radiogroup', { name: '2 contacts have this number. Choose one:' }),
    ).toBeInTheDocument();
    expect(contactSearches(webAPI.calls)).toHaveLength(1);
  });

  it('offers Create when no contact has the number', async () => {
    const webAPI = caseApi();
    renderControl({
      description: descriptionOf('phone-no-email'),
      placeholderCustomerId: PLACEHOLDER,
      webAPI,
    });
    const form = await screen.findByRole('form', { name: 'New contact' });
    expect(within(form).getByRole('button', { name: 'Create and link' })).toBeInTheDocument();
    expect(webAPI.calls.filter((c) => c.method === 'createRecord')).toEqual([]);
  });

  it('does not search, nor complain, when the transcript’s number cannot be searched', async () => {
    const t = transcript('phone-no-email');
    t.header.customer = { ...t.header.customer, phone: 'withheld' };
    const webAPI = caseApi();
    renderControl({ description: write(t), placeholderCustomerId: PLACEHOLDER, webAPI });
    await screen.findByText('Not linked yet (placeholder customer "Unidentified caller")');
    expect(contactSearches(webAPI.calls)).toEqual([]);
    expect(screen.queryByText(/isn't a phone number that can be searched/)).not.toBeInTheDocument();
  });

  it('does not look up a caller whose case already has a real customer', async () => {
    const webAPI = caseApi({}, MARCUS.contactid);
    renderControl({
      description: descriptionOf('phone-no-email'),
      placeholderCustomerId: PLACEHOLDER,
      webAPI,
    });
    await screen.findByText('Customer: Marcus Ohene');
    expect(contactSearches(webAPI.calls)).toEqual([]);
  });

  it.each([
    ['offline', { offline: true }, false],
    ['read-only', { disabled: true }, true],
    ['without the privilege', { canLink: false }, true],
    ['unsaved', { incidentId: null }, false],
  ] as const)('looks nothing up %s, as before', async (_, options, readsCustomer) => {
    const webAPI = caseApi({ retrieveMultiple: () => [MARCUS_ROW] });
    renderControl({
      description: descriptionOf('phone-no-email'),
      placeholderCustomerId: PLACEHOLDER,
      webAPI,
      ...options,
    });
    // Where the case's customer is read, the decision follows it: wait for it to be shown.
    if (readsCustomer) await screen.findByText('Not linked yet (placeholder customer "Unidentified caller")');
    expect(contactSearches(webAPI.calls)).toEqual([]);
    expect(screen.queryByText('One contact has this number:')).not.toBeInTheDocument();
  });
});
