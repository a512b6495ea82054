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
 * The run loop of a background queue (the dispatcher, the mail queue): `work` handles
 * one claimed batch and says whether there was one. Woken right after a commit, it
 * works batch after batch until nothing is due; a wake-up meanwhile runs one more
 * round, so nothing committed meanwhile waits for the poll. The poll is the fallback,
 * for retries that come due and for other instances' commits. Stopping ends the loop
 * after the batch in hand, however long the backlog: what is left stays in the table.
 */
export function createWorkLoop(work: () => Promise<boolean>, options: { pollMs: number, onError: (err: unknown) => void }) {
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
        try {
          while (!stopped && await work()) { /* next batch */ }
        } catch (err) {
          options.onError(err)
        }
      } while (again && !stopped)
    })().finally(() => { running = undefined })
  }

  return {
    wake,
    /** Works every due batch now, in the caller's time (tests, scripts). */
    async drain() {
      while (await work()) { /* next batch */ }
    },
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
