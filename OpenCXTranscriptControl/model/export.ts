/** Pure: the name a downloaded transcript gets. */
export function downloadFileName(sessionId: string | undefined): string {
  const safe = (sessionId ?? '')
    .replace(/[^A-Za-z0-9._-]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 80);
  return safe ? `opencx-transcript-${safe}.txt` : 'opencx-transcript.txt';
}
