import { settingsFieldErrors, settingsPage } from './desk-pages';

describe('the settings page', () => {
  it('names each refused field of the settings API by the form field that holds it', () => {
    expect(
      settingsFieldErrors([
        { field: 'threadDepth', reason: 'Too big: expected number to be <=10' },
        { field: 'requirePreviouslyApproved.guests', reason: 'expected boolean' },
        { field: 'holdWords.2', reason: 'must not be empty' },
        { field: 'threadDepth', reason: 'a second reason' },
      ]),
    ).toEqual({
      threadDepth: 'Too big: expected number to be <=10',
      guestsPreviouslyApproved: 'expected boolean',
      holdWords: 'line 3: must not be empty',
    });
  });

  it('marks a refused field and keeps what was typed', () => {
    const page = settingsPage(
      {
        values: { threadDepth: '11', holdWords: 'casino\n<b>free</b>', requireApproval: '' },
        errors: { threadDepth: 'Too big: expected number to be <=10' },
        formError: 'The settings were not saved: please correct the marked fields.',
      },
      'csrf-token',
      null,
    ).value;
    expect(page).toMatch(/id="threadDepth"[^>]*value="11"[^>]*aria-invalid="true"/);
    expect(page).toContain('id="threadDepth-error"');
    expect(page).toContain('casino\n&lt;b&gt;free&lt;/b&gt;</textarea>');
    expect(page).not.toMatch(/id="requireApproval"[^>]*checked/);
    expect(page).toContain('name="_csrf" value="csrf-token"');
  });
});
