/** The link flow's steps and transitions (model/link-flow.ts), without a component or a Web API. */
import { describe, expect, it } from 'vitest';
import {
  contactFromForm,
  failureOf,
  IDLE,
  nextStep,
  type LinkEvent,
  type LinkStep,
} from '../../OpenCXTranscriptControl/model/link-flow';
import { DataverseFailure } from '../../OpenCXTranscriptControl/model/ports';

const DANA = { id: 'c1', fullName: 'Dana Whitfield', phone: '+14155550134' };
const DAN = { id: 'c2', fullName: 'Dan Whitfield' };
const FORM = { firstname: ' Marcus ', lastname: 'Ohene ', email: '', phone: '+14155550178' };
const COUNTS = { byContact: { c1: 2, c2: 0 }, complete: true };

const run = (...events: LinkEvent[]): LinkStep => events.reduce(nextStep, IDLE);

describe('the link flow', () => {
  it('goes from searching to the one contact found, then adds its open cases', () => {
    const cases = [{ id: 'k1', title: 'Router' }];
    expect(
      run(
        { type: 'busy', label: 'Link_Searching' },
        { type: 'found-one', contact: DANA, callerId: true },
        { type: 'open-cases', contactId: 'c1', cases },
      ),
    ).toEqual({ kind: 'one', contact: DANA, callerId: true, cases });
  });

  it('drops open cases that come back for a contact no longer shown', () => {
    const step = run(
      { type: 'found-one', contact: DANA, callerId: false },
      { type: 'found-one', contact: { ...DAN }, callerId: false },
      { type: 'open-cases', contactId: 'c1', cases: [] },
    );
    expect(step).toEqual({ kind: 'one', contact: DAN, callerId: false });
  });

  it('lets the rep pick among several contacts, and ignores a pick on any other step', () => {
    const many = run(
      { type: 'found-many', contacts: [DANA, DAN], counts: COUNTS, callerId: false },
      { type: 'select', contactId: 'c2' },
    );
    expect(many).toMatchObject({ kind: 'many', selected: 'c2' });
    expect(nextStep(IDLE, { type: 'select', contactId: 'c2' })).toBe(IDLE);
  });

  it('opens the new contact’s form with its id chosen once, keeps edits, and shows what is invalid', () => {
    const created = run({ type: 'found-none', form: FORM, contactId: 'n1' });
    expect(created).toEqual({ kind: 'create', form: FORM, errors: {}, contactId: 'n1' });
    const edited = nextStep(created, { type: 'edit', form: { ...FORM, lastname: '' } });
    expect(edited).toMatchObject({ kind: 'create', contactId: 'n1', form: { lastname: '' } });
    const invalid = nextStep(edited, {
      type: 'invalid',
      form: { ...FORM, lastname: '' },
      errors: { lastname: 'Link_LastName_Required' },
      contactId: 'n1',
    });
    expect(invalid).toMatchObject({ errors: { lastname: 'Link_LastName_Required' }, contactId: 'n1' });
  });

  it('keeps what a retry repeats with a failure, and the contact created but not linked', () => {
    const retry = { kind: 'link' as const, contact: DANA, created: true };
    const failure = { kind: 'network' as const, detail: 'Failed to fetch' };
    expect(run({ type: 'failed', failure, retry, created: DANA })).toEqual({
      kind: 'failed',
      failure,
      retry,
      created: DANA,
    });
    expect(run({ type: 'linked', name: 'Dana Whitfield' })).toEqual({
      kind: 'linked',
      name: 'Dana Whitfield',
    });
  });

  it('names a failure by its kind and its code, or its text', () => {
    expect(failureOf(new DataverseFailure('permission', 'no', '0x80040220'))).toEqual({
      kind: 'permission',
      detail: '0x80040220',
    });
    expect(failureOf(new TypeError('Failed to fetch'))).toEqual({ kind: 'other', detail: 'Failed to fetch' });
    expect(failureOf('odd')).toEqual({ kind: 'other', detail: 'odd' });
  });

  it('describes a new contact as the form has it, trimmed', () => {
    expect(contactFromForm(FORM, 'n1', '+14155550178')).toEqual({
      id: 'n1',
      fullName: 'Marcus Ohene',
      email: undefined,
      phone: '+14155550178',
    });
  });
});
