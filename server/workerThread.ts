import { Worker, type ResourceLimits } from 'node:worker_threads'
import { fileURLToPath } from 'node:url'
import path from 'node:path'

/**
 * Starts a worker thread on `module` (a URL without its extension, beside the caller),
 * with `options` (its data, its heap's limits), and waits for its first message, which
 * says it is ready. Compiled, the module is its .js file; from the TypeScript source
 * (npm run dev, the tests) the thread registers tsx first: it does not inherit the loader.
 */
export async function startWorkerThread(module: URL, options: { workerData?: unknown, resourceLimits?: ResourceLimits } = {}): Promise<Worker> {
  const fromSource = path.extname(fileURLToPath(import.meta.url)) === '.ts'
  const entry = new URL(`${module.href}${fromSource ? '.ts' : '.js'}`)
  const worker = fromSource
    ? new Worker(`import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(entry.href)}) })`, { ...options, eval: true })
    : new Worker(entry, options)
  await new Promise<void>((resolve, reject) => {
    worker.once('message', () => resolve())
    worker.once('error', reject)
  })
  return worker
}
