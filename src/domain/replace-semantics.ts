/**
 * PUT versus PATCH for one field: a given value is kept; a missing one is reset to `empty` when the whole
 * resource is being replaced, and left unchanged (undefined) by a patch.
 */
export const replacedOrKept = <T>(value: T | undefined, empty: T, replace: boolean): T | undefined =>
  value !== undefined ? value : replace ? empty : undefined;
