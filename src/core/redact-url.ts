/** Query parameters that carry credentials (pg takes `?password=…` as well as `user:password@`). */
const SECRET_PARAMS = ["password", "sslpassword"];

/**
 * A URL fit for messages and logs: its password and credential query parameters shown as `***`
 * (`redis://user:secret@host:6379/0` → `redis://user:***@host:6379/0`).
 */
export function redactUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    for (const name of SECRET_PARAMS) if (parsed.searchParams.has(name)) parsed.searchParams.set(name, "***");
    return parsed.toString();
  } catch {
    return "(an unparsable URL)";
  }
}
