/**
 * HTTP basic auth for the console, with the user and password from the environment
 * (`COORD_UI_USER`, `COORD_UI_PASSWORD`), never from argv, where `ps` would show them.
 *
 * @module
 */

import { sameSecret } from "./csrf.ts";

/** Who may use the console. */
export interface Credentials {
  user: string;
  password: string;
}

/** Whether `request` carries `credentials` in its `Authorization: Basic` header. */
export function authorized(request: Request, credentials: Credentials): boolean {
  const header = request.headers.get("authorization") ?? "";
  const match = /^Basic\s+([A-Za-z0-9+/=]+)$/i.exec(header);
  if (!match) return false;
  let decoded: string;
  try {
    decoded = new TextDecoder().decode(Uint8Array.from(atob(match[1]), (c) => c.charCodeAt(0)));
  } catch {
    return false;
  }
  const colon = decoded.indexOf(":");
  if (colon < 0) return false;
  // Both compared, always, so timing does not tell which one was wrong.
  const userOk = sameSecret(decoded.slice(0, colon), credentials.user);
  const passwordOk = sameSecret(decoded.slice(colon + 1), credentials.password);
  return userOk && passwordOk;
}

/** The answer to a request without valid credentials. */
export function challenge(): Response {
  return new Response("authentication required\n", {
    status: 401,
    headers: { "www-authenticate": 'Basic realm="coord", charset="UTF-8"' },
  });
}
