import { ApiError } from '../../api/http.js';

/** Plain sentences for the sign-in cards' refusals (the log-in card and its second step share them). */
const MESSAGES: Record<string, string> = {
  INVALID_CREDENTIALS: 'That username/mobile and password do not match.',
  USERNAME_TAKEN: 'That username is taken. Try another one.',
  MOBILE_TAKEN: 'That mobile number already has an account.',
  TOO_MANY_ATTEMPTS: 'Too many attempts. Wait a few minutes and try again.',
  INVALID_CODE: 'That code is not right. Check the time on your phone, or use a recovery code.',
};

export function explain(e: unknown): string {
  if (e instanceof ApiError) {
    if (MESSAGES[e.code]) return MESSAGES[e.code]!;
    if (e.code === 'VALIDATION_FAILED') {
      if (/username/.test(e.message)) return 'Usernames are 3–32 letters, digits, _ or ., starting with a letter.';
      if (/password/.test(e.message)) return 'Passwords need at least 8 characters.';
      if (/mobile/.test(e.message)) return 'Mobile numbers are digits, optionally starting with +.';
    }
    return e.message;
  }
  return String(e);
}
