/**
 * Caller ID taken as identity (issue 29): OpenCX's `phone_number` is the caller ID, unverified and spoofable.
 * Where a contact rests on it alone (the relay matched by phone, or the rep's search for the transcript's
 * number), the rep reads "caller ID, not verified" in the header, the brief and the link flow.
 */
import { describe, expect, it } from 'vitest';
import { screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { axe } from 'vitest-axe';
import { write, type Transcript } from '@opencx-d365/transcript-format';
import { searchesCallerId } from '../../OpenCXTranscriptControl/model/link-flow';
import { callerTrust, phoneIsCallerId } from '../../OpenCXTranscriptControl/model/verification';
import { transcript } from './fixtures';
import { renderControl } from './harness';
import { recordingWebApi } from './recording-web-api';

const PLACEHOLDER = '7b0c0d6e-1c1a-4e5f-9d2a-0000000000e1';
const DANA_ROW = {
  contactid: 'c0000000-0000-4000-8000-000000000001',
  fullname: 'Dana Whitfield',
  mobilephone: '+14155550134',
};

/** phone-full-details (Dana Whitfield, +14155550134) as the relay writes it after a given match. */
function matched(contactMatch: Transcript['header']['contactMatch'], phone?: 'verified' | 'stated'): string {
  const t = transcript('phone-full-details');
  t.header.contactMatch = contactMatch;
  if (phone) t.header.customer = { ...t.header.customer, verification: { phone } };
  return write(t);
}

const valueOf = (label: string) => screen.getByText(label, { selector: 'dt' }).nextElementSibling!;

describe('the caller ID, pure', () => {
  it('calls a phone-only match a caller-ID link unless OpenCX verified the phone', () => {
    const header = transcript('phone-full-details').header;
    expect(callerTrust({ ...header, contactMatch: 'phone' }).linkedByCallerId).toBe(true);
    expect(callerTrust({ ...header, contactMatch: 'email' }).linkedByCallerId).toBe(false);
    const verified = { ...header.customer, verification: { phone: 'verified' as const } };
    expect(callerTrust({ ...header, contactMatch: 'phone', customer: verified }).linkedByCallerId).toBe(
      false,
    );
    expect(phoneIsCallerId(header)).toBe(true);
    expect(phoneIsCallerId({ ...header, customer: verified })).toBe(false);
    expect(phoneIsCallerId({ customer: { name: 'No number' } })).toBe(false);
  });

  it('says a search rests on the caller ID when it is for the same number, in any rendering', () => {
    expect(searchesCallerId('+14155550134', '(415) 555-0134', true, 'US')).toBe(true);
    expect(searchesCallerId('+14155550134', '+1 415 555 0134', true, undefined)).toBe(true);
    expect(searchesCallerId('+14155550199', '+14155550134', true, 'US')).toBe(false);
    expect(searchesCallerId('+14155550134', '+14155550134', false, 'US')).toBe(false);
    expect(searchesCallerId('+14155550134', undefined, true, 'US')).toBe(false);
  });
});

describe('a case the relay linked by phone', () => {
  it.each([
    [
      1033,
      'Contact',
      'Matched by phone',
      'caller ID, not verified',
      /linked to a contact by the caller ID alone/,
    ],
    [
      1036,
      'Contact',
      'Trouvé par téléphone',
      "identifiant de l'appelant, non vérifié",
      /lié à un contact par le seul identifiant de l'appelant/,
    ],
    [1025, 'جهة الاتصال', 'مطابقة برقم الهاتف', 'معرّف المتصل، غير مُتحقَّق منه', /عبر معرّف المتصل وحده/],
  ] as const)(
    'says it rests on an unverified caller ID (%i), with axe clean',
    async (lcid, label, value, mark, notice) => {
      const { container } = renderControl({
        description: matched('phone'),
        languageId: lcid,
        isRTL: lcid === 1025,
      });
      expect(valueOf(label)).toHaveTextContent(`${value}${mark}`);
      expect(within(valueOf(label) as HTMLElement).getByText(mark)).toHaveAttribute(
        'data-verification',
        'caller-id',
      );
      const brief = container.querySelector('section[aria-labelledby^="opencx-brief"]')!;
      expect(brief).toHaveTextContent(notice);
      const result = await axe(container, { rules: { 'color-contrast': { enabled: false } } });
      expect(result.violations.map((v) => v.id)).toEqual([]);
    },
  );

  it('says nothing of the kind when OpenCX verified the phone, or the match was by email', () => {
    const { unmount } = renderControl({ description: matched('phone', 'verified') });
    expect(screen.queryByText(/caller ID/)).not.toBeInTheDocument();
    unmount();
    renderControl({ description: matched('email') });
    expect(screen.queryByText(/caller ID/)).not.toBeInTheDocument();
  });
});

describe('the link flow, searching the caller ID', () => {
  function setup() {
    const webAPI = recordingWebApi({
      retrieve: (entity) =>
        entity === 'incident'
          ? {
              _customerid_value: PLACEHOLDER,
              '_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'contact',
            }
          : { fullname: 'Unidentified caller' },
      retrieveMultiple: (entity) => (entity === 'contact' ? [DANA_ROW] : []),
    });
    renderControl({ description: matched('none'), placeholderCustomerId: PLACEHOLDER, webAPI });
    return userEvent.setup();
  }

  it('warns before Link that the number found is the unverified caller ID', async () => {
    setup();
    // The lookup on open searches the transcript's number: the caller ID.
    const section = screen.getByRole('region', { name: 'Link contact by phone' });
    await within(section).findByText('One contact has this number:');
    expect(section).toHaveTextContent(
      'This number is the caller ID, not verified: confirm who you are speaking to before you link.',
    );
  });

  it('does not when the rep searched another number the caller gave', async () => {
    const user = setup();
    const section = screen.getByRole('region', { name: 'Link contact by phone' });
    await within(section).findByText(/This number is the caller ID/);
    const box = within(section).getByRole('textbox', { name: "Caller's phone number" });
    await user.clear(box);
    await user.type(box, '+1 415 555 0199');
    await user.click(within(section).getByRole('button', { name: 'Find contact' }));
    await within(section).findByText('One contact has this number:');
    expect(within(section).queryByText(/This number is the caller ID/)).not.toBeInTheDocument();
  });
});
