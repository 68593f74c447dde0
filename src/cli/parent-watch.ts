// How often a long-running command checks that the process that started it is still there.
const PARENT_CHECK_MS = 1000;

/**
 * Calls `onGone` once the process that started hookd exits. `npx hookd serve` runs hookd under
 * `npm exec` → `sh -c`; a SIGTERM to npm ends npm and the shell but not hookd, which kept running and
 * holding its port. When the parent dies the kernel re-parents hookd, so a changed ppid means "stop".
 * Started directly by a supervisor (systemd, tini, a container's PID 1) nothing changes and this is idle.
 */
export function watchParent(onGone: () => void): NodeJS.Timeout {
  const parent = process.ppid;
  const timer = setInterval(() => {
    if (process.ppid !== parent) onGone();
  }, PARENT_CHECK_MS);
  timer.unref();
  return timer;
}
