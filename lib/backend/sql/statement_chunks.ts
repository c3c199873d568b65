/**
 * A batch's rows (or ids) split into statements of a few sizes only, so that a store that
 * prepares each statement it sees again (Postgres: ≈ 1.1 MB of server memory a connection for
 * an INSERT of 500 rows) prepares a handful of them, not one for each size a batch's last
 * statement happened to have.
 *
 * @module
 */

/** How much smaller each size is than the one before it. */
const SIZE_STEP = 5;

/**
 * The sizes statements of up to `perStatement` rows take: `perStatement`, then a fifth of the
 * size before, rounded, down to 1 (500, 100, 20, 4, 1; 8, 2, 1).
 *
 * @example
 * ```ts
 * import { statementSizes } from "./statement_chunks.ts";
 * statementSizes(500); // [500, 100, 20, 4, 1]
 * ```
 */
export function statementSizes(perStatement: number): number[] {
  const sizes = [perStatement];
  for (let size = perStatement; size > 1;) {
    size = Math.max(1, Math.round(size / SIZE_STEP));
    sizes.push(size);
  }
  return sizes;
}

/**
 * `items` in order, split into chunks each of one of `sizes` (largest first, the last 1): as
 * many of the largest as fit, then of the next size, and so on. With {@link statementSizes}, a
 * remainder costs a few statements more (499 of 500: 15), each sent with the next (Postgres: no
 * round trip of its own).
 *
 * @example
 * ```ts
 * import { statementChunks } from "./statement_chunks.ts";
 * statementChunks([1, 2, 3, 4, 5, 6, 7], [8, 2, 1]).map((chunk) => chunk.length); // [2, 2, 2, 1]
 * ```
 */
export function statementChunks<T>(items: readonly T[], sizes: readonly number[]): T[][] {
  // Another last size would leave rows out; a size of 0 would never end.
  if (sizes.at(-1) !== 1 || !sizes.every((size) => Number.isInteger(size) && size >= 1)) {
    throw new RangeError(`statement sizes must be whole, ≥ 1, the last 1: got ${sizes}`);
  }
  const chunks: T[][] = [];
  let i = 0;
  for (const size of sizes) {
    for (; items.length - i >= size; i += size) chunks.push(items.slice(i, i + size));
  }
  return chunks;
}
