import { comparableText } from './comparable-text';

describe('comparable text', () => {
  it('reads the same text in other capitals, spacing, widths and Markdown as the same', () => {
    const plain = comparableText('Cheap watches at https://spam.example today');
    for (const variant of [
      'CHEAP WATCHES at https://spam.example TODAY',
      '  Cheap\n\nwatches   at https://spam.example today ',
      '**Cheap** _watches_ at https://spam.example ~~today~~',
      '> Cheap watches at `https://spam.example` today',
      'Ｃｈｅａｐ watches at https://spam.example today',
      'Chea\u200bp watches at https://spam.example today',
      '- Cheap watches at https://spam.example today',
    ]) {
      expect(comparableText(variant)).toBe(plain);
    }
  });

  it('folds case beyond lowering: ß and SS, final and medial sigma', () => {
    expect(comparableText('Große Straße')).toBe(comparableText('GROSSE STRASSE'));
    expect(comparableText('ΟΔΟΣ')).toBe(comparableText('οδος'));
  });

  it('keeps words and the order of words', () => {
    expect(comparableText('Dogs bite men')).not.toBe(comparableText('Men bite dogs'));
    expect(comparableText('1-2 punches')).toBe('1-2 punches');
    expect(comparableText('[Cheap watches](https://spam.example)')).toBe(
      comparableText('Cheap watches https://spam.example'),
    );
  });
});
