import { wantsHtml } from './not-found.filter';

describe('wantsHtml', () => {
  it.each([
    ['text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', true],
    ['TEXT/HTML', true],
    ['application/json', false],
    ['*/*', false],
    [undefined, false],
    ['text/html;q=0, application/json', false],
  ])('%s → %s', (accept, expected) => {
    expect(wantsHtml(accept)).toBe(expected);
  });
});
