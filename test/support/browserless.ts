import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import type { Application } from 'express'
import request, { type Agent } from 'supertest'

/** GETs a form page and returns the CSRF token it carries, as a browser would. */
export async function csrfFrom(agent: Agent, url: string): Promise<string> {
  const res = await agent.get(url).expect(200)
  const token = /name="_csrf" value="([^"]+)"/.exec(res.text)?.[1]
  if (!token) throw new Error(`no CSRF token on ${url}`)
  return token
}

/**
 * A supertest agent signed in with a password, through the real form and its CSRF
 * token; each sign-in from an address of its own (`from`, a number 1–254 in the
 * documentation range 198.51.100.0/24), so the per-address limits of one test do not
 * run into another's.
 */
export async function signedInAgent(app: Application, email: string, password: string, from: number): Promise<Agent> {
  const agent = request.agent(app)
  const _csrf = await csrfFrom(agent, '/account/sign-in')
  await agent.post('/account/sign-in').set('X-Forwarded-For', `198.51.100.${from}`).type('form').send({ _csrf, email, password }).expect(303)
  return agent
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
