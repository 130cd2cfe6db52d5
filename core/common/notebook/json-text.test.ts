import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parse as parseLossless } from 'lossless-json';
import { JsonSyntaxError, jsonDepth, jsonTextNestedDeeper, NumberLiteral, parseJsonText } from './json-text.ts';

/** What parseJsonText gave before its native fast path: the lossless parser alone. */
function reference(text: string): unknown {
  return parseLossless(text, null, (literal) => {
    const value = Number(literal);
    return String(value) === literal ? value : new NumberLiteral(literal);
  });
}

function filesUnder(dir: string, ext: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path, ext) : name.endsWith(ext) ? [path] : [];
  });
}

const fixtures = join(import.meta.dirname, '../../../test/fixtures');

test('every notebook among the fixtures reads the same as with the lossless parser alone', () => {
  const files = filesUnder(fixtures, '.ipynb');
  assert.ok(files.length >= 10, `fixtures found: ${files.length}`);
  for (const file of files) {
    const text = readFileSync(file, 'utf8');
    let expected: unknown;
    try {
      expected = reference(text);
    } catch {
      assert.throws(() => parseJsonText(text), JsonSyntaxError, file);
      continue;
    }
    assert.deepStrictEqual(parseJsonText(text), expected, file);
  }
});

test('number literals a JS number would change are kept, in any position', () => {
  const v = parseJsonText('{"a": 1.0, "b": [1e-05, -0, 12345678901234567890, 2, 2.5, -7], "c": {"d": 1E3}}') as Record<string, unknown>;
  assert.deepEqual(v['a'], new NumberLiteral('1.0'));
  assert.deepEqual(v['b'], [new NumberLiteral('1e-05'), new NumberLiteral('-0'), new NumberLiteral('12345678901234567890'), 2, 2.5, -7]);
  assert.deepEqual(v['c'], { d: new NumberLiteral('1E3') });
  // Numbers inside strings are text, not literals.
  assert.deepEqual(parseJsonText('{"a": "1.0", "b": ["-0", "1e-05"]}'), { a: '1.0', b: ['-0', '1e-05'] });
});

test('a key written twice in one object is refused as before; the same key in sibling objects is fine', () => {
  assert.throws(
    () => parseJsonText('{"a": 1, "b": 2, "a": 3}'),
    (e: unknown) => e instanceof JsonSyntaxError && /Duplicate key 'a'/.test(e.message) && e.line === 1,
  );
  assert.throws(() => parseJsonText('{"x": [{"k": "v", "k": "w"}]}'), /Duplicate key 'k'/);
  assert.deepEqual(parseJsonText('{"a": {"k": 1}, "b": {"k": 2}, "k": [{"k": 3}, {"k": 4}]}'), { a: { k: 1 }, b: { k: 2 }, k: [{ k: 3 }, { k: 4 }] });
  // Strings in arrays and values that look like keys are not keys.
  assert.deepEqual(parseJsonText('{"a": ["a", "a"], "b": "a", "c": "b"}'), { a: ['a', 'a'], b: 'a', c: 'b' });
});

test("text that is not JSON keeps the lossless parser's message and position", () => {
  for (const text of ['{"a": 1', '{"a": 1,}', '[1, 2', '{"a": tru}', '{"a": "\\x"}', '']) {
    let expected: Error | undefined;
    try {
      reference(text);
    } catch (error) {
      expected = error as Error;
    }
    assert.ok(expected, text);
    assert.throws(
      () => parseJsonText(text),
      (e: unknown) => e instanceof JsonSyntaxError && expected!.message.startsWith(e.message),
      text,
    );
  }
});

test('random JSON reads the same as with the lossless parser alone', () => {
  let seed = 7;
  const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  const pick = <T>(xs: T[]): T => xs[Math.floor(random() * xs.length)]!;
  const numbers = ['0', '-0', '1', '-17', '1.0', '2.5', '1e-05', '1E3', '-3.25e+2', '9007199254740993', '123456789012345', '0.1', '100'];
  const keys = ['a', 'b', 'c', 'id', 'source', 'é', 'a\\"b', '\\u0061'];
  const value = (depth: number): string => {
    const r = random();
    if (depth > 4 || r < 0.3) return pick(numbers);
    if (r < 0.45) return JSON.stringify(pick(['x', '1.0', '', 'a\nb', '{"a": 1}']));
    if (r < 0.5) return pick(['true', 'false', 'null']);
    if (r < 0.75) return `[${Array.from({ length: Math.floor(random() * 4) }, () => value(depth + 1)).join(', ')}]`;
    const n = Math.floor(random() * 4);
    return `{${Array.from({ length: n }, () => `"${pick(keys)}": ${value(depth + 1)}`).join(',\n ')}}`;
  };
  let refused = 0;
  for (let i = 0; i < 2000; i++) {
    const text = value(0);
    let expected: unknown;
    try {
      expected = reference(text);
    } catch {
      refused++;
      assert.throws(() => parseJsonText(text), JsonSyntaxError, text);
      continue;
    }
    assert.deepStrictEqual(parseJsonText(text), expected, text);
  }
  assert.ok(refused > 10 && refused < 1500, `objects with repeated keys among the samples: ${refused}`);
});

test('nesting is measured without recursion: a million levels cost no stack', () => {
  let deep: unknown = 1;
  for (let i = 0; i < 1_000_000; i++) deep = i % 2 ? { a: deep } : [deep];
  assert.equal(jsonDepth(deep, 256), 257, 'stops one level past the limit');
  assert.equal(jsonDepth({ a: [1, { b: new NumberLiteral('1.0') }], c: 'x' }), 3, 'number literals are values, not levels');
  const text = '['.repeat(1_000_000) + ']'.repeat(1_000_000);
  assert.equal(jsonTextNestedDeeper(text, 256), true);
  assert.equal(jsonTextNestedDeeper('{"a": "[[[[[[", "b": [[1]]}', 3), false, 'brackets inside strings do not count');
  assert.equal(jsonTextNestedDeeper('{"a": "\\"[[[[", "b": [[[1]]]}', 3), true);
});
