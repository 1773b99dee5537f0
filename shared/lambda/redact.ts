/**
 * What may appear in a log line about a person or a credential: enough to correlate lines and
 * find the record, never enough to act or to identify someone from the log alone.
 * docs/SECURITY.md ("What is logged") lists where these are used.
 */

/** A reply token, link id or other bearer secret: its first 4 characters (20 of ≥128 bits). */
export function maskSecret(secret: string | null | undefined): string | undefined {
  if (!secret) return undefined;
  return `${secret.slice(0, 4)}…`;
}

/** An e-mail address: first character of the local part, and the domain (z***@example.gov.cn). */
export function maskEmail(address: string | null | undefined): string | undefined {
  if (!address) return undefined;
  const at = address.lastIndexOf('@');
  if (at <= 0) return '***';
  return `${address[0]}***${address.slice(at)}`;
}

/**
 * A recipient address as it appears in inbound mail: a reply address `r+<token>@domain` keeps
 * its shape with the token masked; any other address is masked as an e-mail address.
 */
export function maskRecipient(address: string): string {
  const m = /^r\+([^@]+)(@.*)$/i.exec(address);
  return m ? `r+${maskSecret(m[1])}${m[2]}` : (maskEmail(address) ?? '');
}

const ADDRESS_IN_TEXT = /[^\s@<>"“”'，,;；:：()（）]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** Free text (a reason, an error message) with every e-mail address in it masked. */
export function maskAddressesIn(text: string): string {
  return text.replace(ADDRESS_IN_TEXT, (a) => maskRecipient(a));
}
