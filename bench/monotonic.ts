/**
 * Milliseconds on the machine's monotonic clock (CLOCK_MONOTONIC, the same in every process). Times that one
 * process stamps and another compares must use it: `performance.timeOrigin` is read from the wall clock when
 * each process starts, so a clock step between two processes' starts (NTP on a freshly booted machine) shows
 * as a constant offset — 4 s once, on every PostgreSQL latency of a run.
 */
export const monotonicMs = (): number => Number(process.hrtime.bigint()) / 1e6;
