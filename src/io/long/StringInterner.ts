/** Maps id strings to dense indices 0, 1, 2 … in order of first appearance. */
export class StringInterner {
  /** The distinct ids in order of first appearance. */
  readonly strings: string[] = [];
  private readonly index = new Map<string, number>();

  /** Index of `id`, adding it when new. */
  intern(id: string): number {
    let k = this.index.get(id);
    if (k === undefined) {
      k = this.strings.length;
      this.index.set(id, k);
      this.strings.push(id);
    }
    return k;
  }
}
