/**
 * Small URL helpers shared by the configuration and the clients that use its URLs.
 */

/**
 * `value` without its trailing slashes. A loop rather than `/\/+$/`, which, tried at every slash of a
 * long run that does not end the text, takes quadratic time (regexp/no-super-linear-move).
 */
export function withoutTrailingSlashes(value: string): string {
  let end = value.length;
  while (end > 0 && value.charCodeAt(end - 1) === 0x2f) end -= 1;
  return value.slice(0, end);
}
