import { quoteText } from '../../src/io/limits.js';

test('quoteText cuts long text to 200 characters and says how long it was', () => {
  expect(quoteText('ab')).toBe('"ab"');
  expect(quoteText('x'.repeat(1000))).toBe(`"${'x'.repeat(200)}"… (1000 characters)`);
});
