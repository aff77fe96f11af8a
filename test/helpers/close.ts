/** Expects `got` to have the length of `want` and each entry close to it to `digits` decimals. */
export function expectClose(got: ArrayLike<number>, want: readonly number[], digits = 5): void {
  expect(got.length).toBe(want.length);
  want.forEach((w, i) => expect(got[i]).toBeCloseTo(w, digits));
}
