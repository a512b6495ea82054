import assert from 'node:assert/strict'
import path from 'node:path'
import { describe, it } from 'node:test'
import { ConfigError, loadConfig } from '../../server/config.js'
import { generateSigningKey, verifierKeyText } from '../../server/domain/audit/signedNote.js'
import { generateResultKey } from '../../server/domain/results/resultKeys.js'

const key = generateSigningKey('dichvucong.example/audit-log').text
const earlier = verifierKeyText(generateSigningKey('dichvucong.example/audit-log').key)
const resultKey = generateResultKey()
const resultEarlier = (({ kty, crv, x, kid }: Record<string, string>) => ({ kty, crv, x, kid }))(JSON.parse(generateResultKey()) as Record<string, string>)

describe('config', () => {
  it('has working defaults for a developer machine', () => {
    const c = loadConfig({})
    assert.equal(c.port, 3000)
    assert.equal(c.env, 'development')
    assert.equal(c.dataDir, path.resolve('./data'))
    assert.equal(c.databaseUrl, undefined)
    assert.equal(c.logLevel, 'info')
    assert.equal(c.background, 'thread')
    assert.equal(c.backgroundNice, 10)
    assert.equal(c.trustProxy, false, 'no proxy is believed unless the settings name it')
    assert.equal(loadConfig({ TRUST_PROXY: '10.0.0.0/8' }).trustProxy, '10.0.0.0/8')
    assert.equal(loadConfig({ TRUST_PROXY: '1' }).trustProxy, 1)
  })

  it('reads every setting', () => {
    const c = loadConfig({
      PORT: '8080', DATA_DIR: '/tmp/portal', DATABASE_URL: 'postgres://u@h/db', NODE_ENV: 'production',
      LOG_LEVEL: 'warn', SESSION_SECRET: 's'.repeat(40), PUBLIC_URL: 'https://dichvucong.example/', SMTP_URL: 'smtp://mail:25', BACKGROUND: 'inline',
      AUDIT_SIGNING_KEY: key, AUDIT_VERIFIER_KEYS: ` ${earlier}, `, REQUEST_LOG_DAYS: '30', RESULT_SIGNING_KEY: resultKey,
      RESULT_VERIFIER_KEYS: JSON.stringify([resultEarlier]),
    })
    assert.equal(c.resultSigningKey, resultKey)
    assert.deepEqual(c.resultVerifierKeys, [JSON.stringify(resultEarlier)])
    assert.equal(c.auditSigningKey, key)
    assert.deepEqual(c.auditVerifierKeys, [earlier])
    assert.equal(c.requestLogDays, 30)
    assert.equal(c.auditTree, true)
    assert.equal(c.background, 'inline')
    assert.equal(c.publicUrl, 'https://dichvucong.example')
    assert.equal(c.smtpUrl, 'smtp://mail:25')
    assert.equal(c.port, 8080)
    assert.equal(c.dataDir, '/tmp/portal')
    assert.equal(c.databaseUrl, 'postgres://u@h/db')
    assert.equal(c.production, true)
    assert.equal(c.logLevel, 'warn')
    // Made-up history never goes into a production database, whatever DEMO_HISTORY says.
    assert.equal(c.demoHistory, false)
    assert.equal(loadConfig({ NODE_ENV: 'development' }).demoHistory, true)
    assert.equal(loadConfig({ NODE_ENV: 'development', DEMO_HISTORY: 'off' }).demoHistory, false)
  })

  const bad: Array<[Record<string, string>, RegExp]> = [
    [{ PORT: 'abc' }, /^Invalid setting PORT:/],
    [{ PORT: '70000' }, /^Invalid setting PORT:/],
    [{ NODE_ENV: 'staging' }, /^Invalid setting NODE_ENV:/],
    [{ LOG_LEVEL: 'loud' }, /^Invalid setting LOG_LEVEL:/],
    [{ DATABASE_URL: 'mysql://x' }, /^Invalid setting DATABASE_URL: must start with postgres:\/\//],
    [{ SESSION_SECRET: 'short' }, /^Invalid setting SESSION_SECRET:/],
    [{ NODE_ENV: 'production' }, /^Missing setting SESSION_SECRET/],
    [{ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40) }, /^Missing setting PUBLIC_URL/],
    [{ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), PUBLIC_URL: 'https://x.example' }, /^Missing setting SMTP_URL/],
    [{ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), PUBLIC_URL: 'https://x.example', SMTP_URL: 'smtp://m:25' }, /^Missing setting AUDIT_SIGNING_KEY/],
    [{ NODE_ENV: 'production', SESSION_SECRET: 's'.repeat(40), PUBLIC_URL: 'https://x.example', SMTP_URL: 'smtp://m:25', AUDIT_SIGNING_KEY: key },
      /^Missing setting RESULT_SIGNING_KEY/],
    [{ RESULT_SIGNING_KEY: '{"kty":"OKP","crv":"Ed25519","x":"abc","kid":"k"}' }, /^Invalid setting RESULT_SIGNING_KEY: must be a private Ed25519 JWK/],
    [{ RESULT_VERIFIER_KEYS: '{"kty":"OKP"}' }, /^Invalid setting RESULT_VERIFIER_KEYS: must be a JSON array/],
    [{ AUDIT_TREE: 'no' }, /^Invalid setting AUDIT_TREE/],
    [{ AUDIT_SIGNING_KEY: 'not-a-key' }, /^Invalid setting AUDIT_SIGNING_KEY: must be a signed-note Ed25519 key/],
    [{ AUDIT_VERIFIER_KEYS: 'x y' }, /^Invalid setting AUDIT_VERIFIER_KEYS/],
    [{ REQUEST_LOG_DAYS: '0' }, /^Invalid setting REQUEST_LOG_DAYS/],
    [{ PUBLIC_URL: 'ftp://x' }, /^Invalid setting PUBLIC_URL/],
    [{ BACKGROUND: 'process' }, /^Invalid setting BACKGROUND:/],
    [{ BACKGROUND_NICE: '20' }, /^Invalid setting BACKGROUND_NICE:/],
    [{ BACKGROUND_NICE: '-5' }, /^Invalid setting BACKGROUND_NICE:/],
  ]
  for (const [env, message] of bad) {
    it(`refuses ${JSON.stringify(env)} with a one-line message naming the variable`, () => {
      assert.throws(() => loadConfig(env), (e: unknown) => e instanceof ConfigError && message.test(e.message) && !e.message.includes('\n'))
    })
  }

  it('treats an empty variable as unset', () => {
    assert.equal(loadConfig({ PORT: '', DATABASE_URL: '' }).port, 3000)
  })
})
