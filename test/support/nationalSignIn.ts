import assert from 'node:assert/strict'
import type { Agent } from 'supertest'
import { CookieJar, visit } from './cookieJar.js'
import { devClient, startDevIdentityProvider, type DevIdentityProvider } from './identityProvider.js'
import { createTestPortal, testPublicUrl, type TestPortal } from './testApp.js'

/**
 * Runs the provider's side of a national sign-in that the portal started with `start`
 * (a redirect to the provider): picks the demo person and returns the portal callback
 * path with its query, as the provider redirected the browser to it.
 */
export async function throughProvider(start: { headers: Record<string, string> }, sub: string, publicUrl = testPublicUrl) {
  const authorizeUrl = new URL(start.headers['location']!)
  const jar = new CookieJar()
  let res = await visit(jar, authorizeUrl.href)
  assert.equal(res.status, 303, `provider answered ${res.status}: ${await res.text()}`)
  const interaction = new URL(res.headers.get('location')!, authorizeUrl)
  res = await visit(jar, interaction.href)
  assert.equal(res.status, 200)
  assert.match(await res.text(), /Định danh thử nghiệm/)
  res = await visit(jar, `${interaction.href}/login`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ sub }).toString() })
  assert.equal(res.status, 303)
  res = await visit(jar, new URL(res.headers.get('location')!, authorizeUrl).href)
  assert.equal(res.status, 303)
  const callback = res.headers.get('location')!
  assert.ok(callback.startsWith(`${publicUrl}/auth/national/callback?`), callback)
  return { authorizeUrl, callbackPath: callback.slice(publicUrl.length) }
}

/** The whole national sign-in for a portal agent; returns the portal's answer to the callback. */
export async function nationalSignIn(agent: Agent, sub: string, startPath = '/auth/national') {
  const start = await agent.get(startPath).expect(302)
  const { callbackPath } = await throughProvider(start as unknown as { headers: Record<string, string> }, sub)
  return agent.get(callbackPath)
}

/** A test portal signing in through its own development identity provider; `close` stops both. */
export async function portalWithDevProvider(): Promise<TestPortal & { idp: DevIdentityProvider }> {
  const idp = await startDevIdentityProvider({ redirectUris: [`${testPublicUrl}/auth/national/callback`] })
  const portal = await createTestPortal({ nationalId: { issuer: idp.issuer, ...devClient } })
  return { ...portal, idp, close: async () => { await portal.close(); await idp.close() } }
}
