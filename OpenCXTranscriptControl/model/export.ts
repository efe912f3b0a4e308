/** Pure: the name a downloaded transcript gets. */
export function downloadFileName(sessionId: string | undefined): string {
  const dashed = (sessionId ?? '').replace(/[^\w.-]+/g, '-');
  // Dashes trimmed by hand: /-+$/ retried at every dash of a long run is quadratic (regexp/no-super-linear-move).
  let start = 0;
  let end = dashed.length;
  while (start < end && dashed[start] === '-') start += 1;
  while (end > start && dashed[end - 1] === '-') end -= 1;
  const safe = dashed.slice(start, end).slice(0, 80);
  return safe ? `opencx-transcript-${safe}.txt` : 'opencx-transcript.txt';
}
