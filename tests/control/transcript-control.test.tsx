import { describe, expect, it, vi } from 'vitest';
import { cleanup, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { write } from '@opencx-d365/transcript-format';
import { descriptionOf, FIXTURE_NAMES, handoff, longTranscript, transcript } from './fixtures';
import { INCIDENT_ID, renderControl } from './harness';
import { recordingWebApi } from './recording-web-api';

describe('the header card', () => {
  it('shows the call facts and opens the OpenCX session in a new tab', () => {
    renderControl({ description: descriptionOf('phone-full-details') });
    expect(screen.getByRole('heading', { name: 'Delivery change' })).toBeInTheDocument();
    expect(screen.getByText('Sentiment at handoff: Neutral')).toBeInTheDocument();
    expect(screen.getByText('Phone call')).toBeInTheDocument();
    expect(screen.getByText(/order 1182 delivered to her office/)).toBeInTheDocument();
    const details = screen.getAllByRole('definition');
    expect(details.map((d) => d.textContent)).toEqual(
      // The rep (en-US) reads a US number in national format, the language by name.
      expect.arrayContaining([
        'Dana Whitfield',
        '(415) 555-0134',
        'dana.whitfield@example.com',
        'Not linked',
        'English',
      ]),
    );
    const link = screen.getByRole('link', { name: 'Open in OpenCX' });
    expect(link).toHaveAttribute('href', handoff('phone-full-details').session_url);
    expect(link).toHaveAttribute('target', '_blank');
    expect(link.getAttribute('rel')).toContain('noopener');
  });

  it('has no session link when there is none, and never a non-https one', () => {
    const t = { header: { classification: 'X', sessionUrl: 'javascript:alert(1)' }, turns: [] };
    renderControl({ description: write(t).replace('javascript:alert(1)', 'javascript:alert(1)') });
    expect(screen.queryByRole('link', { name: 'Open in OpenCX' })).not.toBeInTheDocument();
    expect(document.body.innerHTML).not.toContain('javascript:');
  });

  it('names a session link to another site instead of linking it, in the rep’s language', () => {
    // An edited description (or a session_url OpenCX never sent) pointing at a look-alike page.
    const t = transcript('phone-full-details');
    t.header.sessionUrl = 'https://platform.open.cx.evil.example/sessions/1';
    const { unmount } = renderControl({ description: write(t) });
    expect(screen.queryByRole('link', { name: 'Open in OpenCX' })).not.toBeInTheDocument();
    expect(
      screen.getByText(
        'Session link not shown: it leads to platform.open.cx.evil.example, not to the OpenCX address set for this form',
      ),
    ).toBeInTheDocument();
    expect(document.querySelector('a[href*="evil"]')).toBeNull();
    unmount();
    renderControl({ description: write(t), languageId: 1025, isRTL: true });
    expect(
      screen.getByText(/لم يُعرض رابط الجلسة: فهو يؤدي إلى platform\.open\.cx\.evil\.example/),
    ).toBeInTheDocument();
  });

  it('links to the OpenCX address the form sets, and only there', () => {
    const t = transcript('phone-full-details');
    t.header.sessionUrl = 'https://eu.open.cx/sessions/1';
    const { unmount } = renderControl({
      description: write(t),
      opencxOrigin: 'https://eu.open.cx/sessions/{session_id}',
    });
    expect(screen.getByRole('link', { name: 'Open in OpenCX' })).toHaveAttribute(
      'href',
      'https://eu.open.cx/sessions/1',
    );
    unmount();
    // The same link on a form that keeps the default (OpenCX's platform) is named, not followed.
    renderControl({ description: write(t) });
    expect(screen.queryByRole('link', { name: 'Open in OpenCX' })).not.toBeInTheDocument();
    expect(screen.getByText(/it leads to eu\.open\.cx/)).toBeInTheDocument();
  });

  it('falls back to "Support" when the call has no classification', () => {
    renderControl({ description: descriptionOf('phone-anonymous') });
    expect(screen.getByRole('heading', { level: 2 })).toHaveTextContent(/.+/);
  });
});

describe('the transcript', () => {
  it('shows every turn with its speaker and the time in the rep’s zone and locale', () => {
    renderControl({ description: descriptionOf('phone-full-details'), offsetMinutes: -480 });
    const log = screen.getByRole('log', { name: /Call transcript/ });
    const first = within(log)
      .getByText(/Thanks for calling Northwind Supplies/)
      .closest('[data-role]')!;
    expect(first).toHaveTextContent('AI:');
    // 14:02:12 UTC in a UTC−8 zone, US English.
    expect(within(first as HTMLElement).getByText('6:02:12 AM')).toHaveAttribute(
      'datetime',
      '2026-11-24T14:02:12Z',
    );
    expect(within(log).getAllByText('Caller:').length).toBeGreaterThan(0);
  });

  it('uses the rep’s language: French labels and a 24-hour clock', () => {
    renderControl({ description: descriptionOf('phone-full-details'), languageId: 1036, offsetMinutes: 60 });
    const log = screen.getByRole('log', { name: /Transcription de l'appel/ });
    expect(within(log).getByText('15:02:12')).toBeInTheDocument();
    expect(within(log).getAllByText('Appelant:').length).toBeGreaterThan(0);
    expect(screen.getByRole('link', { name: 'Ouvrir dans OpenCX' })).toBeInTheDocument();
  });

  it('lays out right to left for an RTL user and keeps each turn’s own direction', () => {
    const { container } = renderControl({
      description: descriptionOf('unicode-rtl'),
      languageId: 1025,
      isRTL: true,
    });
    expect(container.querySelector('[dir="rtl"]')).not.toBeNull();
    const log = screen.getByRole('log');
    expect(log.querySelectorAll('[dir="auto"]').length).toBeGreaterThan(0);
  });

  it('marks the handoff with a divider after the last turn before it', () => {
    renderControl({ description: descriptionOf('phone-full-details') });
    const divider = screen.getByText(/Handed off to a person at 2:05:09 PM/);
    expect(divider).toHaveTextContent('The AI handed the call to a person');
  });

  it('shows the turns added after the handoff below the divider', () => {
    const t = transcript('phone-full-details');
    const description = write({
      ...t,
      afterHandoff: [
        { at: '2026-11-24T14:06:02Z', role: 'human_agent', name: 'Rosa', text: 'Hi Dana, Rosa here.' },
      ],
    });
    renderControl({ description });
    const log = screen.getByRole('log', { name: /\(8 turns\)/ });
    const divider = screen.getByText(/Handed off to a person at 2:05:09 PM/);
    const later = within(log).getByText('Hi Dana, Rosa here.');
    expect(divider.compareDocumentPosition(later) & Node.DOCUMENT_POSITION_FOLLOWING).toBeTruthy();
    expect(later.closest('[data-role]')).toHaveTextContent('Agent (Rosa):');
  });

  it('shows a day separator when the call crosses midnight in the rep’s zone', async () => {
    const user = userEvent.setup();
    renderControl({ description: descriptionOf('phone-long-midnight') });
    const log = screen.getByRole('log');
    const box = screen.getByRole('searchbox');
    const days = new Set<string | null>();
    // The log shows a window of the call: bring its first turn, then its first turn after midnight, into it.
    const messages = handoff('phone-long-midnight').messages;
    for (const message of [messages[0], messages.find((m) => m.at >= '2026-11-25')!]) {
      await user.clear(box);
      await user.click(box);
      await user.paste(message.text);
      await within(log).findByText(message.text);
      within(log)
        .queryAllByText(/\b20\d\d\b/)
        .forEach((e) => days.add(e.textContent));
    }
    expect([...days]).toEqual(['Tuesday, November 24, 2026', 'Wednesday, November 25, 2026']);
  });

  it.each(FIXTURE_NAMES)('renders the %s fixture as the relay writes it, without errors', (name) => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    renderControl({ description: descriptionOf(name) });
    const doc = handoff(name);
    if (doc.messages.length) {
      // The log opens at the handoff: the last turn before it is in the page.
      const log = screen.getByRole('log');
      const lastText = doc.messages[doc.messages.length - 1].text.split('\n')[0].trim();
      if (lastText) expect(log.textContent).toContain(lastText);
    }
    expect(error).not.toHaveBeenCalled();
    error.mockRestore();
  });
});

describe('long transcripts', () => {
  it('keeps only a window of 2,000 turns in the page, and search brings a far turn into it', async () => {
    const user = userEvent.setup();
    renderControl({ description: write(longTranscript(2000)) });
    const log = screen.getByRole('log', { name: /2000 turns/ });
    const rendered = log.querySelectorAll('[data-role]').length;
    expect(rendered).toBeGreaterThan(5);
    expect(rendered).toBeLessThan(60);
    // It opens at the handoff, after the last turn: the first turns are far away.
    expect(within(log).getByText(/^Handed off to a person/)).toBeInTheDocument();
    expect(within(log).queryByText(/parcel 1000\b/)).not.toBeInTheDocument();
    await user.type(screen.getByRole('searchbox', { name: 'Search the transcript' }), 'parcel 1000');
    expect(await within(log).findByText('parcel 1000')).toHaveAttribute('data-current', 'true');
  });

  it('lets the keyboard reach the log and move past it (no focus trap)', async () => {
    const user = userEvent.setup();
    renderControl({ description: write(longTranscript(300)) });
    const log = screen.getByRole('log');
    log.focus();
    expect(log).toHaveFocus();
    await user.tab();
    expect(log).not.toHaveFocus();
    expect(log.contains(document.activeElement)).toBe(false);
  });
});

describe('search', () => {
  it('highlights every match, counts them, and steps with Enter, Shift+Enter and the buttons', async () => {
    const user = userEvent.setup();
    renderControl({ description: descriptionOf('phone-full-details') });
    const box = screen.getByRole('searchbox', { name: 'Search the transcript' });
    await user.type(box, 'ORDER');
    const marks = () => screen.getByRole('log').querySelectorAll('mark');
    const total = marks().length;
    expect(total).toBeGreaterThan(1);
    expect(screen.getByText(`1 of ${total}`)).toBeInTheDocument();
    await user.keyboard('{Enter}');
    expect(screen.getByText(`2 of ${total}`)).toBeInTheDocument();
    await user.keyboard('{Shift>}{Enter}{/Shift}{Shift>}{Enter}{/Shift}');
    expect(screen.getByText(`${total} of ${total}`)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Next match' }));
    expect(screen.getByText(`1 of ${total}`)).toBeInTheDocument();
    expect(screen.getByRole('log').querySelectorAll('mark[data-current]')).toHaveLength(1);
    await user.click(box);
    await user.keyboard('{Escape}');
    expect(box).toHaveValue('');
    expect(marks()).toHaveLength(0);
  });

  it('on a phone, shows the arrows only while there is something to step through', async () => {
    const user = userEvent.setup();
    renderControl({ description: descriptionOf('phone-full-details'), allocatedWidth: 375 });
    expect(screen.queryByRole('button', { name: 'Previous match' })).not.toBeInTheDocument();
    await user.type(screen.getByRole('searchbox', { name: 'Search the transcript' }), 'order');
    expect(screen.getByRole('button', { name: 'Previous match' })).toBeEnabled();
    expect(screen.getByRole('button', { name: 'Next match' })).toBeEnabled();
    // Every action keeps its button (jsdom has no layout, so nothing overflows into the menu here).
    for (const name of ['Jump to handoff', 'Latest', 'Copy all', 'Download'])
      expect(screen.getByRole('button', { name })).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'More actions' })).not.toBeInTheDocument();
  });

  it('says so when nothing matches, and treats the query as text, not a pattern', async () => {
    const user = userEvent.setup();
    renderControl({ description: descriptionOf('tricky-text') });
    await user.type(screen.getByRole('searchbox'), '.*(');
    expect(screen.getByText('No matches')).toBeInTheDocument();
    expect(screen.getByRole('button', { name: 'Next match' })).toBeDisabled();
  });
});

describe('copy and download', () => {
  it('copies the whole transcript text', async () => {
    const user = userEvent.setup();
    const description = descriptionOf('phone-full-details');
    renderControl({ description });
    await user.click(screen.getByRole('button', { name: 'Copy all' }));
    expect(await navigator.clipboard.readText()).toBe(description);
    expect(screen.getByText('Copied')).toBeInTheDocument();
  });

  it('downloads it as a text file named after the session', async () => {
    const user = userEvent.setup();
    const created: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => {
      created.push(blob);
      return 'blob:transcript';
    });
    URL.revokeObjectURL = vi.fn();
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (
      this: HTMLAnchorElement,
    ) {
      expect(this.download).toBe('opencx-transcript-bca127b0-a251-4643-add8-8bffefeb8e7e.txt');
    });
    const description = descriptionOf('phone-full-details');
    renderControl({ description });
    await user.click(screen.getByRole('button', { name: 'Download' }));
    expect(click).toHaveBeenCalledOnce();
    const text = await new Promise<string>((resolve) => {
      const reader = new FileReader();
      reader.onload = () => resolve(reader.result as string);
      reader.readAsText(created[0]);
    });
    expect(text).toBe(description);
    click.mockRestore();
  });
});

describe('descriptions that are not (whole) transcripts', () => {
  it('loads the full transcript from the case’s note when the description was shortened, and says so', async () => {
    const full = write(longTranscript(400));
    const api = recordingWebApi({
      retrieveMultiple: (entity) => (entity === 'annotation' ? [{ notetext: full, isdocument: false }] : []),
    });
    renderControl({ description: descriptionOf('phone-long-midnight', 2000), webAPI: api });
    expect(
      await screen.findByText(/this is the full transcript from the note "OpenCX transcript/),
    ).toBeInTheDocument();
    expect(screen.getByRole('log', { name: /400 turns/ })).toBeInTheDocument();
    expect(screen.queryByText(/turns left out here/)).not.toBeInTheDocument();
    const session = handoff('phone-long-midnight').session_id;
    expect(api.calls.filter((c) => c.entity === 'annotation')).toEqual([
      {
        method: 'retrieveMultipleRecords',
        entity: 'annotation',
        options: expect.stringContaining('$select=notetext,isdocument,documentbody') as string,
        filter: `_objectid_value eq ${INCIDENT_ID} and subject eq 'OpenCX transcript ${session}'`,
      },
    ]);
  });

  it('decodes a transcript kept as a transcript.txt attachment', async () => {
    const full = write(longTranscript(50));
    const api = recordingWebApi({
      retrieveMultiple: () => [
        {
          notetext: 'attached',
          isdocument: true,
          documentbody: Buffer.from(full, 'utf8').toString('base64'),
        },
      ],
    });
    renderControl({ description: descriptionOf('phone-long-midnight', 2000), webAPI: api });
    expect(await screen.findByRole('log', { name: /50 turns/ })).toBeInTheDocument();
  });

  it.each([
    [
      'failed',
      { errorCode: 0x80040220, message: 'missing prvReadNote' },
      /could not be loaded from the note \(missing prvReadNote\)/,
    ],
    ['missing', undefined, /note with the full transcript was not found/],
  ] as const)(
    'shows the shortened transcript with a clear message when the note %s',
    async (_, answer, message) => {
      const api = recordingWebApi({ retrieveMultiple: () => (answer ? answer : []) });
      renderControl({ description: descriptionOf('phone-long-midnight', 2000), webAPI: api });
      expect(await screen.findByText(message)).toBeInTheDocument();
      expect(screen.getByText(/turns left out here/)).toBeInTheDocument();
    },
  );

  it('does not try to load the note offline or on an unsaved case, and says why', () => {
    const first = renderControl({ description: descriptionOf('phone-long-midnight', 2000), offline: true });
    expect(screen.getByText(/You're offline: showing the shortened transcript/)).toBeInTheDocument();
    expect(first.webAPI.calls.filter((c) => c.entity === 'annotation')).toEqual([]);
    first.unmount();
    const second = renderControl({
      description: descriptionOf('phone-long-midnight', 2000),
      incidentId: null,
    });
    expect(screen.getByText(/Save the case to load the full transcript/)).toBeInTheDocument();
    expect(second.webAPI.calls).toEqual([]);
  });

  it('shows a description a rep typed as plain text', () => {
    renderControl({ description: 'Customer called about invoice 42.\nPlease call back.' });
    expect(screen.getByText(/not an OpenCX transcript/)).toBeInTheDocument();
    expect(screen.getByText(/Customer called about invoice 42/)).toBeInTheDocument();
    expect(screen.queryByRole('log')).not.toBeInTheDocument();
  });

  it('reads OpenCX’s own layout as best it can and says so', () => {
    const opencx = [
      'Channel: phone_voice',
      'Summary: Wants a refund',
      'Classification: Refund',
      'Sentiment: angry',
      'Customer name: Ana Silva',
      '',
      '[2026-11-24 14:02:11] Customer: I want my money back',
      '[2026-11-24 14:02:15] AI: I can help with that',
    ].join('\n');
    renderControl({ description: opencx });
    expect(screen.getByText(/isn't in the current transcript format/)).toBeInTheDocument();
    expect(within(screen.getByRole('log')).getByText(/I want my money back/)).toBeInTheDocument();
  });

  it('shows an empty state for an empty description', () => {
    renderControl({ description: null });
    expect(screen.getByRole('heading', { name: 'No transcript yet' })).toBeInTheDocument();
  });

  it('never throws into the form: a rendering failure falls back to the text', () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const description = descriptionOf('phone-full-details');
    // A host whose time zone service fails while the turns render.
    renderControl({
      description,
      offsetMinutes: () => {
        throw new Error('time zone service down');
      },
    });
    expect(screen.getByText(/couldn't be displayed; the description is shown as text/)).toBeInTheDocument();
    expect(screen.getByText(/Thanks for calling Northwind Supplies/)).toBeInTheDocument();
    error.mockRestore();
  });
});

describe('the PCF adapter', () => {
  it('does not re-render when nothing it uses changed', () => {
    const rendered = renderControl({ description: descriptionOf('phone-full-details') });
    const first = rendered.update({});
    expect(rendered.update({})).toBe(first);
    expect(rendered.update({ description: 'changed' })).not.toBe(first);
  });

  it('reads the record id from the host (braces, upper case) or the fallback input', async () => {
    const noteFilter = (api: ReturnType<typeof recordingWebApi>) =>
      api.calls.find((c) => c.entity === 'annotation' && c.method === 'retrieveMultipleRecords');
    const fromHost = recordingWebApi();
    renderControl({
      description: descriptionOf('phone-long-midnight', 2000),
      incidentId: `{${INCIDENT_ID.toUpperCase()}}`,
      webAPI: fromHost,
    });
    await waitFor(() => expect(noteFilter(fromHost)).toBeDefined());
    expect(noteFilter(fromHost)).toMatchObject({
      filter: expect.stringContaining(`_objectid_value eq ${INCIDENT_ID} `) as string,
    });
    cleanup();
    const fromInput = recordingWebApi();
    renderControl({
      description: descriptionOf('phone-long-midnight', 2000),
      incidentId: null,
      incidentIdInput: INCIDENT_ID,
      webAPI: fromInput,
    });
    await waitFor(() => expect(noteFilter(fromInput)).toBeDefined());
  });
});
