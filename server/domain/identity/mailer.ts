export interface MailMessage {
  to: string
  subject: string
  text: string
}

/** Sends email; the implementation (SMTP, or files outside production) is in server/mail.ts. */
export interface Mailer {
  send(message: MailMessage): Promise<void>
}
