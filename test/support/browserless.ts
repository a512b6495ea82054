import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { Agent } from 'supertest'

/** GETs a form page and returns the CSRF token it carries, as a browser would. */
export async function csrfFrom(agent: Agent, url: string): Promise<string> {
  const res = await agent.get(url).expect(200)
  const token = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1]
  if (!token) throw new Error(`no CSRF token on ${url}`)
  return token
}

/** The emails the portal wrote (the file mailer used outside production), oldest first. */
export function emailsTo(mailDir: string, to: string): string[] {
  let files: string[] = []
  try { files = readdirSync(mailDir).sort() } catch { return [] }
  return files.map((f) => readFileSync(path.join(mailDir, f), 'utf8')).filter((m) => m.includes(`To: ${to}`))
}

/** The first link in a message; quoted-printable soft line breaks joined. */
export function linkIn(message: string): string {
  const body = message.replace(/=\r?\n/g, '').replace(/=3D/g, '=')
  const link = /https?:\/\/\S+/.exec(body)?.[0]
  if (!link) throw new Error('no link in the message')
  return link
}

export function sessionCookie(setCookie: string[] | string | undefined): string | undefined {
  const all = Array.isArray(setCookie) ? setCookie : setCookie ? [setCookie] : []
  return all.find((c) => /^(__Host-)?sid=/.test(c))?.split(';')[0]
}
