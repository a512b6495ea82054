// The baseline: bare Express 5 answering res.json, nothing else.
import express from 'express'

const app = express()
app.get('/', (_req, res) => { res.json({ status: 'ok' }) })
const server = app.listen(Number(process.env['PORT'] ?? 3301), '127.0.0.1', () => {
  process.stdout.write('listening\n')
})
process.on('SIGTERM', () => server.close(() => process.exit(0)))
