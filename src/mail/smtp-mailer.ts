import nodemailer from 'nodemailer';
import type { Mail, Mailer } from '../services/account-email.js';

/** Sends through the SMTP server of `PARLEY_SMTP_URL` (nodemailer). */
export function smtpMailer(url: string, from: string): Mailer {
  const transport = nodemailer.createTransport(url);
  return {
    async send(m: Mail) {
      await transport.sendMail({ from, to: m.to, subject: m.subject, text: m.text });
    },
    close() {
      transport.close();
    },
  };
}
