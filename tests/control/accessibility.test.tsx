import { describe, expect, it } from 'vitest';
import { screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { axe } from 'vitest-axe';
import { descriptionOf } from './fixtures';
import { renderControl } from './harness';
import { recordingWebApi } from './recording-web-api';

// Colour contrast needs a layout engine: it is checked in Chromium (tests/browser), not here.
const options = { rules: { 'color-contrast': { enabled: false } } };

async function violations(container: Element) {
  const result = await axe(container, options);
  return result.violations.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`);
}

describe('accessibility (axe)', () => {
  it('is a checker that can fail: it finds a nameless button and an unlabelled radio group', async () => {
    const container = document.createElement('div');
    container.innerHTML = '<button></button><div role="radiogroup"><input type="radio"></div>';
    document.body.appendChild(container);
    expect(await violations(container)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^button-name/), expect.stringMatching(/^label/)]),
    );
    container.remove();
  });

  it.each([
    ['a full transcript', { description: descriptionOf('phone-full-details') }],
    [
      'a right-to-left transcript in Arabic',
      { description: descriptionOf('unicode-rtl'), languageId: 1025, isRTL: true },
    ],
    ['a plain-text description', { description: 'Typed by a rep.' }],
    ['an empty description', { description: '' }],
    [
      'an offline, read-only case',
      { description: descriptionOf('phone-no-email'), offline: true, disabled: true },
    ],
  ])('has no violations for %s', async (_, options) => {
    const { container } = renderControl(options);
    expect(await violations(container)).toEqual([]);
  });

  it('has no violations while searching and while creating a contact', async () => {
    const user = userEvent.setup();
    const { container } = renderControl({
      description: descriptionOf('phone-no-email'),
      webAPI: recordingWebApi(),
    });
    await user.type(screen.getByRole('searchbox'), 'order');
    await user.click(screen.getByRole('button', { name: 'Find contact' }));
    await screen.findByRole('form', { name: 'New contact' });
    expect(await violations(container)).toEqual([]);
  });
});
