import { labelValue, promqlFormat, regexValue } from './promql';

describe('raw PromQL variables', () => {
  it('escapes a single value as a label value', () => {
    expect(labelValue('default-ipv4-ippool')).toBe('default-ipv4-ippool');
    expect(labelValue('a"b')).toBe('a\\"b');
    expect(labelValue('a\\b')).toBe('a\\\\b');
    expect(labelValue('a\nb')).toBe('a\\nb');
    expect(promqlFormat('x"}) or vector(1) #')).toBe('x\\"}) or vector(1) #');
  });

  it('escapes regex metacharacters, then the string, for a regex matcher', () => {
    expect(regexValue('a.b')).toBe('a\\\\.b');
    expect(regexValue('(a|b)*')).toBe('\\\\(a\\\\|b\\\\)\\\\*');
    expect(regexValue('a"b')).toBe('a\\"b');
  });

  it('turns a multi-value into an alternation of escaped values', () => {
    // The browser test sends this very expression to the backend, which accepts it.
    expect(promqlFormat(['default-ipv4-ippool', 'a"b.c'])).toBe('(default-ipv4-ippool|a\\"b\\\\.c)');
    expect(promqlFormat(['only.one'])).toBe('only\\\\.one');
    expect(promqlFormat([])).toBe('()');
  });

  it('keeps every value a literal: the unescaped regex equals only the value', () => {
    const hostile = ['a"}) or vector(1) #', '.*', 'x\\y', 'new\nline', '$^{}[]'];
    const inString = promqlFormat(hostile);
    // Undo PromQL's string escaping as its parser does, then match each value as RE2 would.
    const regex = inString.replace(/\\(["\\n])/g, (_, c) => (c === 'n' ? '\n' : c));
    const re = new RegExp('^' + regex + '$');
    for (const v of hostile) {
      expect(re.test(v)).toBe(true);
    }
    expect(re.test('anything')).toBe(false);
  });
});
