/**
 * Milliseconds on the machine's monotonic clock (CLOCK_MONOTONIC, the same in every process). Times that one
 * process stamps and another compares must use it: `performance.timeOrigin` is read from the wall clock when
 * each process starts, so a wall-clock step between two processes' starts shows as a constant offset (about 4 s
 * once, in every PostgreSQL figure of a run: docs/decisions/017).
 */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;
