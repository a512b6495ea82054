// The request log: one row per request, for the auditor. What a row never holds:
// bodies, passwords, tokens, citizen ID numbers, form answers, or query parameters
// other than the few named as safe (server/web/requestLog.ts builds the rows).

export interface RequestRow {
  at: string
  requestId: string
  method: string
  route: string | null
  path: string
  /** JSON of the safe query parameters, when there were any */
  query: string | null
  status: number
  durationMs: number
  userId: string | null
  role: string | null
  onBehalfOf: string | null
  apiKeyId: string | null
  agencyId: string | null
  ip: string | null
  userAgent: string | null
}

export interface RequestLogStore {
  insert(rows: RequestRow[]): Promise<void>
}

export interface RequestLogWriter {
  add(row: RequestRow): void
  /** Writes what is buffered now (at shutdown, and in tests). */
  flush(): Promise<void>
  close(): Promise<void>
  /** rows written, and rows dropped because the database refused them for too long */
  readonly counts: { written: number, dropped: number }
}

/**
 * Rows wait in memory and are written together every `flushMs` or once `batch` are
 * waiting, off the request path: a request never waits for its own row. A crash loses
 * what is buffered (at most about `flushMs` of requests). When the database refuses,
 * the rows are kept for the next try, up to `maxBuffered`; beyond that the oldest go,
 * counted and reported, rather than the portal's memory.
 */
export function createRequestLogWriter(store: RequestLogStore, options: {
  flushMs?: number, batch?: number, maxBuffered?: number, onError?: (err: unknown, dropped: number) => void,
} = {}): RequestLogWriter {
  const flushMs = options.flushMs ?? 1000
  const batch = options.batch ?? 1000
  const maxBuffered = options.maxBuffered ?? 100_000
  let buffer: RequestRow[] = []
  let writing: Promise<void> | undefined
  let timer: NodeJS.Timeout | undefined
  const counts = { written: 0, dropped: 0 }

  async function write(): Promise<void> {
    while (buffer.length) {
      const rows = buffer.length > batch ? buffer.slice(0, batch) : buffer
      buffer = buffer.length > batch ? buffer.slice(batch) : []
      try {
        await store.insert(rows)
        counts.written += rows.length
      } catch (err) {
        buffer = [...rows, ...buffer]
        const over = buffer.length - maxBuffered
        if (over > 0) {
          buffer = buffer.slice(over)
          counts.dropped += over
        }
        options.onError?.(err, Math.max(0, over))
        return
      }
    }
  }

  function flush(): Promise<void> {
    if (timer) {
      clearTimeout(timer)
      timer = undefined
    }
    writing ??= write().finally(() => { writing = undefined })
    return writing
  }

  return {
    counts,
    add(row) {
      buffer.push(row)
      if (buffer.length >= batch && !writing) void flush()
      else if (!timer && !writing) {
        timer = setTimeout(() => { timer = undefined; void flush() }, flushMs)
        timer.unref()
      }
    },
    async flush() {
      await writing
      await flush()
    },
    async close() {
      await writing
      await flush()
    },
  }
}
