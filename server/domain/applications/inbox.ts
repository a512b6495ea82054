import type { ApplicationRepository } from './repository.js'

/** The messages a person's applications brought them. */
export function createInbox(deps: { repo: ApplicationRepository }) {
  const { repo } = deps
  return {
    inbox: (userId: string) => repo.inbox(userId),
    markInboxRead: (userId: string) => repo.markInboxRead(userId),
  }
}
