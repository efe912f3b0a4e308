import { describe, expect, it } from 'vitest';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { descriptionOf } from './fixtures';
import { INCIDENT_ID, renderControl } from './harness';
import {
  DUPLICATE_ERROR,
  NETWORK_ERROR,
  PRIVILEGE_ERROR,
  recordingWebApi,
  type Handlers,
  type WebApiCall,
} from './recording-web-api';

const PLACEHOLDER = '7b0c0d6e-1c1a-4e5f-9d2a-0000000000e1';
const DANA = { contactid: 'c0000000-0000-4000-8000-000000000001', fullname: 'Dana Whitfield' };
const DANA_ROW = { ...DANA, emailaddress1: 'dana.whitfield@example.com', mobilephone: '(415) 555-0178' };
const OTHER_ROW = {
  contactid: 'c0000000-0000-4000-8000-000000000002',
  fullname: 'Dan Whitfield',
  telephone1: '4155550178',
};

/** A case currently on the placeholder customer, with handlers for everything else. */
function api(handlers: Handlers = {}) {
  return recordingWebApi({
    retrieve: (entity) =>
      entity === 'incident'
        ? {
            _customerid_value: PLACEHOLDER,
            '_customerid_value@Microsoft.Dynamics.CRM.lookuplogicalname': 'contact',
          }
        : { fullname: 'Unidentified caller' },
    ...handlers,
  });
}

const contactSearch = (calls: WebApiCall[]) =>
  calls.filter((c) => c.method === 'retrieveMultipleRecords' && c.entity === 'contact');
const writes = (calls: WebApiCall[]) =>
  calls.filter((c) => c.method === 'createRecord' || c.method === 'updateRecord');

// phone-no-email: Marcus Ohene, +14155550178, no email.
function setup(handlers: Handlers = {}, options: Parameters<typeof renderControl>[0] = {}) {
  const user = userEvent.setup();
  const webAPI = api(handlers);
  const rendered = renderControl({
    description: descriptionOf('phone-no-email'),
    placeholderCustomerId: PLACEHOLDER,
    ...options,
    webAPI,
  });
  const find = () => user.click(screen.getByRole('button', { name: 'Find contact' }));
  return { ...rendered, user, webAPI, find };
}

describe('Link contact by phone', () => {
  it('treats the placeholder customer as not linked', async () => {
    setup();
    expect(
      await screen.findByText('Not linked yet (placeholder customer "Unidentified caller")'),
    ).toBeInTheDocument();
    expect(screen.getByRole('textbox', { name: "Caller's phone number" })).toHaveValue('+14155550178');
  });

  it('searches active contacts with exact matches of the number’s renderings in every phone column', async () => {
    const { find, webAPI } = setup();
    await find();
    await screen.findByText(/No active contact has this number/);
    const [search] = contactSearch(webAPI.calls);
    expect(search.method === 'retrieveMultipleRecords' && search.options).toContain('$top=25');
    const filter = search.method === 'retrieveMultipleRecords' ? search.filter! : '';
    expect(filter.startsWith('statecode eq 0 and (')).toBe(true);
    for (const column of ['mobilephone', 'telephone1', 'telephone2', 'telephone3'])
      for (const rendering of ['+14155550178', '(415) 555-0178', '+1 415-555-0178', '4155550178'])
        expect(filter).toContain(`${column} eq '${rendering}'`);
    expect(filter).not.toMatch(/contains|endswith|startswith/);
  });

  it('links the single contact whose stored number is in another format, then refreshes the form', async () => {
    const refreshed: boolean[] = [];
    (globalThis as { Xrm?: unknown }).Xrm = {
      Page: { data: { refresh: (save: boolean) => refreshed.push(save) } },
    };
    const { find, user, webAPI } = setup({
      retrieveMultiple: (entity) => (entity === 'contact' ? [DANA_ROW] : []),
    });
    await find();
    const card = await screen.findByText('One contact has this number:');
    expect(card.parentElement).toHaveTextContent(
      'Dana Whitfield · dana.whitfield@example.com · (415) 555-0178',
    );
    await user.click(screen.getByRole('button', { name: 'Link to this case' }));
    expect(await screen.findByText('Dana Whitfield is now the customer of this case.')).toBeInTheDocument();
    expect(writes(webAPI.calls)).toEqual([
      {
        method: 'updateRecord',
        entity: 'incident',
        id: INCIDENT_ID,
        data: { 'customerid_contact@odata.bind': `/contacts(${DANA.contactid})` },
      },
    ]);
    expect(refreshed).toEqual([false]);
    expect(screen.getByText('Customer: Dana Whitfield')).toBeInTheDocument();
    delete (globalThis as { Xrm?: unknown }).Xrm;
  });

  it('offers a picker with open cases when several contacts share the number', async () => {
    const { find, user, webAPI } = setup({
      retrieveMultiple: (entity) =>
        entity === 'contact'
          ? [DANA_ROW, OTHER_ROW]
          : entity === 'incident'
            ? [
                { _customerid_value: DANA.contactid },
                { _customerid_value: DANA.contactid },
                { _customerid_value: OTHER_ROW.contactid },
              ]
            : [],
    });
    await find();
    const group = await screen.findByRole('radiogroup', { name: '2 contacts have this number. Choose one:' });
    const options = within(group).getAllByRole('radio');
    expect(options).toHaveLength(2);
    expect(group).toHaveTextContent(
      'Dana Whitfield · dana.whitfield@example.com · (415) 555-0178 · 2 open cases',
    );
    expect(group).toHaveTextContent('Dan Whitfield · no email · 4155550178 · 1 open cases');
    const countCall = webAPI.calls.find(
      (c) => c.method === 'retrieveMultipleRecords' && c.entity === 'incident',
    );
    expect(countCall).toMatchObject({
      filter: `statecode eq 0 and (_customerid_value eq ${DANA.contactid} or _customerid_value eq ${OTHER_ROW.contactid})`,
    });
    const link = screen.getByRole('button', { name: 'Link to this case' });
    expect(link).toBeDisabled();
    await user.click(within(group).getByRole('radio', { name: /Dan Whitfield/ }));
    await user.click(link);
    await screen.findByText('Dan Whitfield is now the customer of this case.');
    expect(writes(webAPI.calls)).toMatchObject([
      {
        method: 'updateRecord',
        data: { 'customerid_contact@odata.bind': `/contacts(${OTHER_ROW.contactid})` },
      },
    ]);
  });

  it('says "500+" rather than stop silently when there are more open cases than it counts', async () => {
    const rows = (id: string, n: number) => Array.from({ length: n }, () => ({ _customerid_value: id }));
    const { find, webAPI } = setup({
      retrieveMultiple: (entity) =>
        entity === 'contact'
          ? [DANA_ROW, OTHER_ROW]
          : entity === 'incident'
            ? [...rows(DANA.contactid, 300), ...rows(OTHER_ROW.contactid, 201)]
            : [],
    });
    await find();
    const group = await screen.findByRole('radiogroup');
    expect(group).toHaveTextContent(
      'Dana Whitfield · dana.whitfield@example.com · (415) 555-0178 · 300+ open cases',
    );
    expect(group).toHaveTextContent('Dan Whitfield · no email · 4155550178 · 200+ open cases');
    const count = webAPI.calls.find((c) => c.method === 'retrieveMultipleRecords' && c.entity === 'incident');
    expect(count?.method === 'retrieveMultipleRecords' && count.options).toContain('$top=501');
  });

  it('creates the contact prefilled from the transcript, then links it', async () => {
    const { find, user, webAPI } = setup();
    await find();
    const form = await screen.findByRole('form', { name: 'New contact' });
    expect(within(form).getByRole('textbox', { name: 'First name' })).toHaveValue('Marcus');
    expect(within(form).getByRole('textbox', { name: /Last name/ })).toHaveValue('Ohene');
    expect(within(form).getByRole('textbox', { name: /Mobile phone/ })).toHaveValue('+14155550178');
    await user.click(within(form).getByRole('button', { name: 'Create and link' }));
    await screen.findByText('Marcus Ohene is now the customer of this case.');
    const [create, link] = writes(webAPI.calls);
    expect(create).toMatchObject({
      method: 'createRecord',
      entity: 'contact',
      data: {
        firstname: 'Marcus',
        lastname: 'Ohene',
        mobilephone: '+14155550178',
        description: expect.stringMatching(/^Created from OpenCX session /) as string,
      },
    });
    const id = create.method === 'createRecord' ? String(create.data.contactid) : '';
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(link).toEqual({
      method: 'updateRecord',
      entity: 'incident',
      id: INCIDENT_ID,
      data: { 'customerid_contact@odata.bind': `/contacts(${id})` },
    });
  });

  it('validates the new contact before creating anything', async () => {
    const { find, user, webAPI } = setup();
    await find();
    const form = await screen.findByRole('form', { name: 'New contact' });
    await user.clear(within(form).getByRole('textbox', { name: /Last name/ }));
    await user.type(within(form).getByRole('textbox', { name: 'Email' }), 'not-an-email');
    await user.clear(within(form).getByRole('textbox', { name: /Mobile phone/ }));
    await user.type(within(form).getByRole('textbox', { name: /Mobile phone/ }), 'call me');
    await user.click(within(form).getByRole('button', { name: 'Create and link' }));
    expect(screen.getByText('A last name is required.')).toBeInTheDocument();
    expect(screen.getByText("This isn't an email address.")).toBeInTheDocument();
    expect(screen.getByText(/isn't a phone number that can be searched/)).toBeInTheDocument();
    expect(writes(webAPI.calls)).toEqual([]);
  });

  it.each([
    ['call me back', /isn't a phone number that can be searched/],
    ['', /Enter a phone number/],
  ])('says so instead of searching when the number is %j', async (typed, message) => {
    const { find, user, webAPI } = setup();
    // The lookup on open (the transcript's number) is done first.
    await screen.findByText(/No active contact has this number/);
    const before = contactSearch(webAPI.calls).length;
    const box = screen.getByRole('textbox', { name: "Caller's phone number" });
    await user.clear(box);
    if (typed) await user.type(box, typed);
    await find();
    expect(screen.getByText(message)).toBeInTheDocument();
    expect(contactSearch(webAPI.calls)).toHaveLength(before);
  });

  it('asks for a country code for a national number when no country is known to read it in', async () => {
    // Japanese (ja-JP) with a configured country that is not one: JP is not in the control's regional set.
    const { find, user } = setup({}, { defaultCountry: 'XX', languageId: 1041 });
    const box = screen.getByRole('textbox', { name: "Caller's phone number" });
    await user.clear(box);
    await user.type(box, '4155550178');
    await find();
    expect(screen.getByText(/Add the country code/)).toBeInTheDocument();
  });

  it('reads a national number in the country of the rep’s language when the form sets none, as the header does', async () => {
    const { user, webAPI } = setup({}, { languageId: 1036 });
    await screen.findByText(/Aucun contact actif n'a ce numéro/);
    const box = screen.getByRole('textbox', { name: "Numéro de téléphone de l'appelant" });
    await user.clear(box);
    await user.type(box, '01 42 68 53 00');
    await user.click(screen.getByRole('button', { name: 'Rechercher le contact' }));
    await waitFor(() => expect(contactSearch(webAPI.calls)).toHaveLength(2));
    const search = contactSearch(webAPI.calls)[1];
    expect(search.method === 'retrieveMultipleRecords' && search.filter).toContain(
      "mobilephone eq '+33142685300'",
    );
  });

  it('reads a national number in the configured default country', async () => {
    const { find, user, webAPI } = setup({}, { defaultCountry: 'GB' });
    await screen.findByText(/No active contact has this number/);
    const box = screen.getByRole('textbox', { name: "Caller's phone number" });
    await user.clear(box);
    await user.type(box, '020 7946 0958');
    await find();
    await waitFor(() => expect(contactSearch(webAPI.calls)).toHaveLength(2));
    const search = contactSearch(webAPI.calls)[1];
    expect(search.method === 'retrieveMultipleRecords' && search.filter).toContain(
      "mobilephone eq '+442079460958'",
    );
  });

  it('names a missing privilege in plain words', async () => {
    const { find, user } = setup({
      retrieveMultiple: (entity) => (entity === 'contact' ? [DANA_ROW] : []),
      update: () => PRIVILEGE_ERROR,
    });
    await find();
    await user.click(await screen.findByRole('button', { name: 'Link to this case' }));
    expect(
      await screen.findByText(
        /You don't have permission to link or create contacts on this case.*\(0x80040220\)/,
      ),
    ).toBeInTheDocument();
  });

  it('offers a retry after a network failure, and the retry works', async () => {
    let failures = 1;
    const { user, webAPI } = setup({
      retrieveMultiple: (entity) =>
        entity === 'contact' ? (failures-- > 0 ? NETWORK_ERROR : [DANA_ROW]) : [],
    });
    // The lookup on open is the one that fails.
    expect(await screen.findByText(/Dynamics 365 couldn't be reached/)).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    expect(await screen.findByText('One contact has this number:')).toBeInTheDocument();
    expect(contactSearch(webAPI.calls)).toHaveLength(2);
  });

  it('reports a contact created but not linked, and links it on retry without creating it again', async () => {
    const { find, user, webAPI } = setup({
      update: (_e, _id, _d, attempt) => (attempt === 1 ? NETWORK_ERROR : undefined),
    });
    await find();
    await user.click(await screen.findByRole('button', { name: 'Create and link' }));
    expect(
      await screen.findByText(/Marcus Ohene was created but is not linked to the case yet/),
    ).toBeInTheDocument();
    await user.click(screen.getByRole('button', { name: 'Try again' }));
    await screen.findByText('Marcus Ohene is now the customer of this case.');
    const done = writes(webAPI.calls).map((c) => c.method);
    expect(done).toEqual(['createRecord', 'updateRecord', 'updateRecord']);
  });

  it('never makes a second contact when a create’s answer was lost and the rep retries', async () => {
    // The first create reached Dataverse but its answer did not come back; the retry sends the same id.
    const { find, user, webAPI } = setup({
      create: (_e, _d, attempt) => (attempt === 1 ? NETWORK_ERROR : DUPLICATE_ERROR),
    });
    await find();
    await user.click(await screen.findByRole('button', { name: 'Create and link' }));
    await user.click(await screen.findByRole('button', { name: 'Try again' }));
    await screen.findByText('Marcus Ohene is now the customer of this case.');
    const creates = writes(webAPI.calls).filter((c) => c.method === 'createRecord');
    expect(creates).toHaveLength(2);
    const ids = creates.map((c) => (c.method === 'createRecord' ? c.data.contactid : undefined));
    expect(ids[0]).toBe(ids[1]);
  });

  it('asks before replacing a real customer, and does nothing on cancel', async () => {
    const { find, user, webAPI } = setup({
      retrieve: (entity) =>
        entity === 'incident' ? { _customerid_value: OTHER_ROW.contactid } : { fullname: 'Dan Whitfield' },
      retrieveMultiple: (entity) => (entity === 'contact' ? [DANA_ROW] : []),
    });
    expect(await screen.findByText('Customer: Dan Whitfield')).toBeInTheDocument();
    await find();
    await user.click(await screen.findByRole('button', { name: 'Link to this case' }));
    // A dialog's motion takes seconds under jsdom on a busy two-core machine: wait longer for it.
    const slow = { timeout: 12_000 };
    const dialog = await screen.findByRole('dialog', { name: "Replace the case's customer?" }, slow);
    expect(dialog).toHaveTextContent(
      'This case is linked to Dan Whitfield. Link it to Dana Whitfield instead?',
    );
    await user.click(within(dialog).getByRole('button', { name: 'Cancel' }));
    await waitFor(() => expect(screen.queryByRole('dialog')).not.toBeInTheDocument(), slow);
    expect(writes(webAPI.calls)).toEqual([]);
    // The page behind a closed dialog is hidden from assistive technology until its exit has finished.
    await user.click(await screen.findByRole('button', { name: 'Link to this case' }, slow));
    await user.click(
      within(await screen.findByRole('dialog', {}, slow)).getByRole('button', { name: 'Replace' }),
    );
    await screen.findByText('Dana Whitfield is now the customer of this case.');
    expect(writes(webAPI.calls)).toHaveLength(1);
  }, 40_000);

  it.each([
    [{ offline: true }, "Linking a contact needs a connection: you're offline."],
    [{ incidentId: null }, 'Save the case first, then link a contact.'],
    [{ disabled: true }, 'This case is read-only, so its customer cannot be changed here.'],
    [{ editable: false }, 'This case is read-only, so its customer cannot be changed here.'],
    [{ canLink: false }, "You don't have permission to change this case's customer."],
  ] as const)('is disabled with the reason when %o', (options, reason) => {
    setup({}, options);
    expect(screen.getByText(reason)).toBeInTheDocument();
    expect(screen.queryByRole('button', { name: 'Find contact' })).not.toBeInTheDocument();
  });
});
