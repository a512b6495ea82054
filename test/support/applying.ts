import type { Agent } from 'supertest'
import { csrfFrom } from './browserless.js'

/** Starts (or resumes) a draft of a service, as the "Bắt đầu" button does; returns its reference. */
export async function start(agent: Agent, service: string): Promise<{ reference: string, location: string }> {
  const _csrf = await csrfFrom(agent, `/services/${service}/apply`)
  const res = await agent.post(`/services/${service}/apply`).type('form').send({ _csrf }).expect(303)
  const location = res.headers['location']!
  return { reference: /\/applications\/([^/]+)\//.exec(location)![1]!, location }
}

/** Answers one page of a draft: a form post, or multipart when files go with it. */
export async function answer(agent: Agent, reference: string, page: string, fields: Record<string, string | string[]>, files: Array<[string, Buffer, string]> = [], lang = 'vi') {
  const _csrf = await csrfFrom(agent, `/applications/${reference}/pages/${page}`)
  let req = agent.post(`/applications/${reference}/pages/${page}?lang=${lang}`)
  if (files.length) {
    req = req.field('_csrf', _csrf)
    for (const [name, value] of Object.entries(fields)) for (const v of [value].flat()) req = req.field(name, v)
    for (const [name, bytes, filename] of files) req = req.attach(name, bytes, filename)
    return req
  }
  return req.type('form').send({ _csrf, ...fields })
}

/** Presses "submit" on the check page. */
export async function submit(agent: Agent, reference: string) {
  const _csrf = await csrfFrom(agent, `/applications/${reference}/check`)
  return agent.post(`/applications/${reference}/submit`).type('form').send({ _csrf })
}
