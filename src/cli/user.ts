import { Value } from '@sinclair/typebox/value';
import { type App, createApp } from '../app.js';
import type { Config } from '../config.js';
import { isAppError } from '../domain/errors.js';
import { Nickname, Password, Username } from '../http/schemas.js';
import { checkDatabase } from './preflight.js';
import { UsageError } from './usage-error.js';

type Opts = Record<string, string | boolean | undefined>;

/**
 * Runs an operator action through the real services (the same validation, hashing and
 * notices as the API), on an app that is composed but never listens. With `PARLEY_REDIS`
 * set, notices such as "these sessions ended" reach the running nodes.
 */
async function withServices<T>(config: Config, run: (app: App) => Promise<T>): Promise<T> {
  await checkDatabase(config.db);
  const app = await createApp({ ...config, logLevel: config.logLevel === 'info' ? 'warn' : config.logLevel });
  try {
    return await run(app);
  } catch (e) {
    if (isAppError(e)) throw new UsageError(`${e.code}: ${e.message}`);
    throw e;
  } finally {
    await app.close();
  }
}

export async function userCommand(config: Config, words: string[], opts: Opts): Promise<void> {
  const [action, username] = words;
  if (action === 'create') {
    if (!username) throw new UsageError('user create: expected a username, e.g. parley user create alice --password …');
    const password = typeof opts.password === 'string' ? opts.password : process.env.PARLEY_USER_PASSWORD;
    if (!password) throw new UsageError('user create: give the password with --password or PARLEY_USER_PASSWORD');
    const nickname = typeof opts.nickname === 'string' ? opts.nickname : username;
    const mobile = typeof opts.mobile === 'string' ? opts.mobile : undefined;
    // The sign-up rules of the API, so an operator cannot make an account the API would refuse.
    for (const [what, schema, value] of [
      ['username', Username, username],
      ['password', Password, password],
      ['nickname', Nickname, nickname],
    ] as const) {
      if (!Value.Check(schema, value))
        throw new UsageError(
          `user create: the ${what} does not meet the sign-up rules (${schema.description ?? JSON.stringify({ minLength: schema.minLength, maxLength: schema.maxLength })})`,
        );
    }
    const user = await withServices(config, async (app) => {
      const { user, sessionId } = await app.services.accounts.register(
        { username, password, nickname, ...(mobile ? { mobile } : {}), device: 'parley user create' },
        { ip: '127.0.0.1' },
      );
      await app.services.accounts.logout({ userId: user.id, sessionId });
      return user;
    });
    process.stdout.write(`created user ${user.username} (${user.id})\n`);
    return;
  }
  if (action === 'disable') {
    if (!username) throw new UsageError('user disable: expected a username');
    const r = await withServices(config, (app) => app.services.accounts.disable(username));
    process.stdout.write(`disabled user ${username} (${r.userId}); ${r.sessionsEnded} session(s) ended\n`);
    return;
  }
  if (action === 'reset-password') {
    if (!username) throw new UsageError('user reset-password: expected a username');
    // A one-time code for the user to redeem on the reset screen: no password on a command line.
    const r = await withServices(config, (app) => app.services.recovery.issueReset(username));
    process.stdout.write(
      `reset code for ${r.username} (${r.userId}): ${r.code}\n` +
        `valid until ${new Date(r.expiresAt).toISOString()}, once; the user enters it at /#/reset\n`,
    );
    return;
  }
  throw new UsageError(`user: expected create, disable or reset-password, got ${JSON.stringify(action ?? '')}`);
}
