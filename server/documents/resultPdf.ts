import { createRequire } from 'node:module'
import path from 'node:path'
import QRCode from 'qrcode'
import type { ResultDocument } from '../domain/results/resultService.js'

// The result document as a PDF (A4): the national header, the deciding agency, the
// decision in Vietnamese (then English and French where the service gives them), the
// application's particulars, and at the foot the verification code with a QR code that
// holds the /verify address and the signed token. DejaVu Sans carries every Vietnamese
// letter and is embedded (subset) in the file. pdfkit is loaded on the first document,
// not at start: most processes never issue one.

const fonts = path.join(path.dirname(createRequire(import.meta.url).resolve('dejavu-fonts-ttf/package.json')), 'ttf')
const regular = path.join(fonts, 'DejaVuSans.ttf')
const bold = path.join(fonts, 'DejaVuSans-Bold.ttf')
const italic = path.join(fonts, 'DejaVuSans-Oblique.ttf')

const labels = { reference: 'Mã hồ sơ', holder: 'Người nộp hồ sơ', service: 'Thủ tục', decided: 'Ngày giải quyết', agency: 'Cơ quan giải quyết', officer: 'Người xử lý' }

export async function renderResultPdf(doc: ResultDocument): Promise<Buffer> {
  const { default: PDFDocument } = await import('pdfkit')
  const pdf = new PDFDocument({ size: 'A4', margin: 56, info: { Title: `${doc.title} ${doc.reference}`, Author: doc.agencyName, Subject: doc.code } })
  const chunks: Buffer[] = []
  pdf.on('data', (c: Buffer) => chunks.push(c))
  const done = new Promise<Buffer>((resolve, reject) => {
    pdf.on('end', () => resolve(Buffer.concat(chunks)))
    pdf.on('error', reject)
  })
  pdf.registerFont('regular', regular).registerFont('bold', bold).registerFont('italic', italic)
  const width = pdf.page.width - 112
  const half = width / 2 - 8
  const top = pdf.y

  pdf.font('bold').fontSize(10).text(doc.agencyName.toUpperCase(), 56, top, { width: half, align: 'center' })
  pdf.font('bold').fontSize(10).text('CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM', 56 + half + 16, top, { width: half, align: 'center' })
  pdf.font('bold').fontSize(10).text('Độc lập - Tự do - Hạnh phúc', { width: half, align: 'center', underline: true })
  pdf.moveDown(0.5).font('italic').fontSize(10).text(`Ngày ${doc.issuedOn}`, { width: half, align: 'center' })
  pdf.x = 56
  pdf.moveDown(2).font('bold').fontSize(15).text(doc.title.toUpperCase(), { width, align: 'center' })
  pdf.moveDown(1)
  for (const part of doc.text) {
    pdf.font(part.lang === 'vi' ? 'regular' : 'italic').fontSize(part.lang === 'vi' ? 12 : 10).text(part.text, { width, align: 'justify' })
    pdf.moveDown(0.6)
  }
  pdf.moveDown(0.6)
  const rows: Array<[string, string]> = [
    [labels.reference, doc.reference], [labels.holder, doc.holderName], [labels.service, doc.serviceName],
    [labels.decided, doc.issuedOn], [labels.agency, doc.agencyName], ...(doc.issuerName ? [[labels.officer, doc.issuerName] as [string, string]] : []),
  ]
  for (const [label, value] of rows) {
    const y = pdf.y
    pdf.font('bold').fontSize(11).text(`${label}:`, 56, y, { width: 150 })
    pdf.font('regular').fontSize(11).text(value, 56 + 160, y, { width: width - 160 })
    pdf.moveDown(0.3)
  }

  // The foot: a QR code drawn as vector squares, the code printed beside it.
  const qr = QRCode.create(doc.qrText, { errorCorrectionLevel: 'L' })
  const cells = qr.modules.size
  const side = 170
  const unit = side / (cells + 8)
  const qrTop = pdf.page.height - 56 - side
  pdf.rect(56, qrTop, side, side).fill('#ffffff')
  pdf.fillColor('#000000')
  for (let row = 0; row < cells; row++) {
    for (let col = 0; col < cells; col++) {
      if (qr.modules.get(row, col)) pdf.rect(56 + (col + 4) * unit, qrTop + (row + 4) * unit, unit, unit)
    }
  }
  pdf.fill('#000000')
  const textLeft = 56 + side + 16
  pdf.font('regular').fontSize(10).text('Mã xác thực / Verification code / Code de vérification', textLeft, qrTop + 20, { width: width - side - 16 })
  pdf.font('bold').fontSize(20).text(doc.code, textLeft, pdf.y + 4, { width: width - side - 16, characterSpacing: 2 })
  pdf.font('regular').fontSize(9).text(`Kiểm tra tính xác thực tại ${doc.verifyUrl} hoặc quét mã QR.`, textLeft, pdf.y + 6, { width: width - side - 16 })
  pdf.end()
  return done
}
