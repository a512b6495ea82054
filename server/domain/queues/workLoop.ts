/** How a background queue claims, retries and gives up. */
export interface QueueOptions {
  maxAttempts: number
  /** first retry after about this long; doubled each attempt, capped at maxDelayMs */
  baseDelayMs: number
  maxDelayMs: number
  /** how long a claimed row stays this instance's; a crashed instance's rows are retried after it */
  leaseMs: number
  /** fallback polling, for retries that come due and for other instances' commits */
  pollMs: number
  batchSize: number
}

/**
 * The run loop of a background queue (the dispatcher, the mail queue): `drain` empties
 * what is due. Woken right after a commit; a wake-up while draining runs one more
 * drain afterwards, so nothing committed meanwhile waits for the poll. The poll is
 * the fallback, for retries that come due and for other instances' commits.
 */
export function createWorkLoop(drain: () => Promise<void>, options: { pollMs: number, onError: (err: unknown) => void }) {
  let running: Promise<void> | undefined
  let again = false
  let timer: NodeJS.Timeout | undefined
  let stopped = false

  function wake(): void {
    if (stopped) return
    if (running) {
      again = true
      return
    }
    running = (async () => {
      do {
        again = false
        await drain().catch(options.onError)
      } while (again && !stopped)
    })().finally(() => { running = undefined })
  }

  return {
    wake,
    start() {
      stopped = false
      timer = setInterval(wake, options.pollMs)
      timer.unref()
      wake()
    },
    /** Stops polling and waits for the drain under way. */
    async stop() {
      stopped = true
      if (timer) clearInterval(timer)
      await running
    },
    /** Resolves when the current wake-up has finished (tests). */
    idle: async () => { while (running) await running },
  }
}

/** Exponential backoff with jitter: about `baseMs` after the first attempt, doubling, at most `maxMs`. */
export function backoffMs(attempt: number, baseMs: number, maxMs: number): number {
  const exponential = Math.min(maxMs, baseMs * 2 ** (attempt - 1))
  return exponential / 2 + Math.random() * (exponential / 2)
}
