import type { Response } from 'express'

// RFC 4180 quoting, and a leading apostrophe on text a spreadsheet would run as a formula.
export function csvCell(value: string | number | null): string {
  if (value === null) return ''
  if (typeof value === 'number') return String(value)
  const safe = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe
}

// Awaiting 'drain' keeps a slow download from buffering the whole file in memory; a
// client that went away ends the wait (what is still written after goes nowhere).
export async function writeChunk(res: Response, chunk: string): Promise<void> {
  if (res.destroyed || res.write(chunk)) return
  await new Promise<void>((resolve) => {
    const done = () => {
      res.off('drain', done)
      res.off('close', done)
      resolve()
    }
    res.on('drain', done)
    res.on('close', done)
  })
}
