import { v7 } from 'uuid'

/**
 * Ids of the rows the portal writes most (applications, documents, deliveries to
 * agencies, emails): UUIDv7 (RFC 9562), whose first 48 bits are the time of creation.
 * Random (v4) ids scatter every insert, and every index keyed by such an id (the events
 * of an application, the deliveries of an outbox row), over the whole B-tree: each commit
 * then writes a page for every row and reads it back first. In time order, what was
 * created together sits together, and a submission makes about half the system calls
 * (docs/performance.md, "Behind the comments"). An id tells when the
 * row was made, which its own created_at column says anyway; nothing secret is an id
 * (session ids and tokens are random, from their own generators).
 */
export const newRowId = (): string => v7()
