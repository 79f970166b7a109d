import { settings } from '../config.js';

const COMMANDS = `Usage: parley [command] [options]

Commands:
  serve                       Run the server (the default command)
  migrate                     Apply pending database migrations and exit
  user create <username>      Create an account (password from --password or PARLEY_USER_PASSWORD)
                              [--nickname <name>] [--mobile <number>]
  user disable <username>     Disable an account: login is refused and every session ends
  user reset-password <username>
                              Print a one-time code the user redeems to set a new password
  backup <file>               Online backup of the SQLite database (safe while the server runs)
  copy-store --from <url> --to <url> [--force] [--batch <rows>]
                              Copy a whole Parley store (say sqlite:… to postgres://… or
                              mysql://…); the target is migrated first and must be empty
                              unless --force is given

Options:
  -h, --help                  Show this help
  -v, --version               Show the version`;

/** The help text: commands, then every config flag (each setting also has its variable). */
export function helpText(): string {
  const flags = Object.values(settings)
    .filter((s) => s.flag)
    .map((s) => `  ${`${s.flag} <value>`.padEnd(28)}${s.env}`);
  return `${COMMANDS}\n\nConfig flags (every setting is also read from its environment variable; see README):\n${flags.join('\n')}\n`;
}
