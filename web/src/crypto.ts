/**
 * A witness's commitment, computed in this browser with Web Crypto: SHA-256 of the secret's
 * UTF-8 bytes as 64 lowercase hex digits, exactly `suiji ceremony commit` (shared/draw). The
 * secret itself never leaves the page until the witness reveals it.
 */
export async function commitmentOf(secret: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(secret));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, '0')).join('');
}
