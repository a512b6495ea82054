import type { Logger } from 'pino'
import type { DatabaseOptions } from '../db/database.js'
import { startWorkerThread } from '../workerThread.js'
import type { EncodedPage } from '../web/pageCache.js'
import type { SearchPages, SearchResultsQuery } from '../web/searchResults.js'

export interface SearchThreadOptions {
  database: DatabaseOptions
  cacheSeconds: number
  /** compile each template once (production) */
  cacheTemplates: boolean
}

/** `whole`: the whole page for a visitor without a session, not its results alone */
export type SearchThreadMessage = { id: number, query: SearchResultsQuery, whole: boolean } | 'forget' | 'stop'
export type SearchThreadReply = { id: number, html: string } | { id: number, body: Uint8Array, etag: string } | { id: number, error: string }

export interface SearchThread extends Required<SearchPages> {
  /** the catalogue changed in this instance: the thread forgets its index and what it kept */
  forget(): void
  stop(): Promise<void>
}

/**
 * The search page found and rendered on a thread of its own (./searchWorker.ts): the
 * whole page for a visitor without a session (the same page for all of them, as the page
 * cache has it), the results alone for a page around them with a session. A search that no page cache has seen was the web thread's most
 * expensive page: the index, the summaries and the list of hits took about a third of
 * its time, while the machine's other core was partly idle (docs/performance.md). The
 * web thread now sends the query and sends on the bytes it gets back. Should the
 * thread fail, the web thread finds and renders them itself (`fallback`).
 */
export async function startSearchThread(options: SearchThreadOptions, fallback: Required<SearchPages>, logger: Logger): Promise<SearchThread> {
  // Its own heap kept small: the index, the summaries its hits show and one query's
  // garbage at a time. Without limits V8 sizes it as for a process (about 80 MB resident
  // more than without the thread; about 50 MB with these). A thread that runs out of
  // heap stops, and the web thread takes its searches over.
  const worker = await startWorkerThread(new URL('./searchWorker', import.meta.url), {
    workerData: options, resourceLimits: { maxOldGenerationSizeMb: 32, maxYoungGenerationSizeMb: 8 },
  })
  const waiting = new Map<number, { resolve: (reply: SearchThreadReply) => void, reject: (err: Error) => void }>()
  let next = 0
  let alive = true
  let stopping = false
  worker.on('message', (reply: SearchThreadReply) => {
    const pending = waiting.get(reply.id)
    waiting.delete(reply.id)
    if ('error' in reply) pending?.reject(new Error(`search thread: ${reply.error}`))
    else pending?.resolve(reply)
  })
  const gone = (why: object) => {
    if (!alive) return
    alive = false
    if (!stopping) logger.error(why, 'search thread stopped; searches are served by the web thread')
    for (const pending of waiting.values()) pending.reject(new Error('search thread stopped'))
    waiting.clear()
  }
  worker.on('error', (err) => gone({ err }))
  worker.on('exit', (code) => gone({ code }))

  async function ask(query: SearchResultsQuery, whole: boolean): Promise<SearchThreadReply | undefined> {
    if (!alive) return undefined
    const id = next++
    worker.postMessage({ id, query, whole } satisfies SearchThreadMessage)
    try {
      return await new Promise<SearchThreadReply>((resolve, reject) => waiting.set(id, { resolve, reject }))
    } catch (err) {
      if (alive) throw err
      return undefined
    }
  }

  return {
    async results(query) {
      const reply = await ask(query, false)
      return reply && 'html' in reply ? reply.html : fallback.results(query)
    },
    async page(query): Promise<EncodedPage> {
      const reply = await ask(query, true)
      return reply && 'body' in reply
        ? { body: Buffer.from(reply.body.buffer, reply.body.byteOffset, reply.body.byteLength), etag: reply.etag }
        : fallback.page(query)
    },
    forget: () => { if (alive) worker.postMessage('forget' satisfies SearchThreadMessage) },
    async stop() {
      if (!alive) return
      stopping = true
      const exited = new Promise((resolve) => worker.once('exit', resolve))
      worker.postMessage('stop' satisfies SearchThreadMessage)
      await exited
    },
  }
}
