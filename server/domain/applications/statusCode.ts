import { createHash } from 'node:crypto'

/** The second code a visitor checks a status with is kept only as its hash. */
export const hashCode = (code: string) => createHash('sha256').update(code).digest('hex')
