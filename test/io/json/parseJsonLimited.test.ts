/** Limited JSON parsing: number ids keep their exact digits, and a repeated key keeps its last value. */
import { parseJsonIdList, rawNumberOf } from '../../../src/io/json/parseJsonLimited.js';

describe('ids are exact', () => {
  test('rawNumberOf takes the last of a repeated key, as JSON.parse does', () => {
    expect(rawNumberOf('{"id": 1, "x": {"id": 2}, "id": 30000000000000000001}', 'id')).toBe('30000000000000000001');
    expect(rawNumberOf('{"id": "1"}', 'id')).toBeNull();
  });

  test('JSON id lists keep number ids exact, in both shapes', () => {
    expect(
      parseJsonIdList('[12345678901234567891, "b", 1.0, {"x": 1} ]'.replace(', {"x": 1} ', ''), 'ids.json'),
    ).toEqual(['12345678901234567891', 'b', '1.0']);
    expect(parseJsonIdList('{"other": [5], "example_ids": [ 98765432109876543210 , "a,b" ]}', 'h.json')).toEqual([
      '98765432109876543210',
      'a,b',
    ]);
    expect(() => parseJsonIdList('{"ids": []}', 'h.json')).toThrow(
      'h.json:1:1: expected a JSON list of ids or an object with "example_ids"',
    );
    expect(() => parseJsonIdList('[null]', 'h.json')).toThrow(
      'h.json:1:1: id 1 of the list is null, not a string or number',
    );
  });

  test('a JSON id list under a repeated key takes its digits from the last list, the one JSON.parse keeps', () => {
    expect(parseJsonIdList('{"example_ids": [1], "example_ids": [12345678901234567891]}', 'h.json')).toEqual([
      '12345678901234567891',
    ]);
  });
});
