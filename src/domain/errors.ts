/** One field problem, as seed 004's HTTPValidationError lists them. */
export interface FieldError {
  loc: (string | number)[];
  msg: string;
  type: string;
}

/** A failure with a catalogued code (see src/http/errors.ts); `fields` carries 422 details. */
export class AppError extends Error {
  constructor(
    readonly code: string,
    readonly detail?: string,
    readonly fields?: FieldError[],
  ) {
    super(detail ?? code);
  }
}

/** A 422 with the given field problems. */
export const validationError = (fields: FieldError[]): AppError =>
  new AppError('validation_failed', 'validation failed', fields);

/** A 422 naming one body field. */
export const fieldError = (
  field: string | (string | number)[],
  msg: string,
  type = 'value_error',
): AppError => validationError([{ loc: ['body', ...(Array.isArray(field) ? field : [field])], msg, type }]);
