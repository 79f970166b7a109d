/**
 * Loopback source addresses 127.0.0.2, 127.0.0.3, … so many client sockets to one server port
 * do not run out of ephemeral ports on one source address. Loopback only.
 */
export function sourceAddress(i: number, spread = 16): string {
  return `127.0.0.${2 + (i % spread)}`;
}
