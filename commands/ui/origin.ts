/**
 * Whom the console answers, judged from headers a web page cannot forge. Two attacks get past
 * the CSRF token otherwise:
 *
 * - DNS rebinding: a page of `evil.example` makes its own name resolve to 127.0.0.1, and the
 *   browser then lets it read the console (token included) as a page of its own origin. Its
 *   requests still say `Host: evil.example`, so a console without credentials answers only
 *   requests for an IP address, `localhost` or a name given with `--allow-host`, wherever it
 *   listens: `--read-only` on 0.0.0.0 is reachable through loopback too.
 * - A form on another site posting to the console: the browser says where it comes from
 *   (`Sec-Fetch-Site`, `Origin`), so such a POST is refused even before its token is checked.
 *
 * @module
 */

/**
 * A host no DNS answer stands behind: an IPv4 address (the URL parser has already made any
 * other spelling of one dotted decimal), an IPv6 address in brackets, or `localhost`, which
 * browsers resolve to loopback themselves.
 */
const ADDRESS_HOST = /^(?:\d{1,3}(?:\.\d{1,3}){3}|\[[0-9a-f:.]+\]|localhost\.?)$/i;

/**
 * Whether a request for `hostname` (a URL's, without the port) may be answered by a console
 * without credentials. DNS rebinding needs a name its attacker can point at the console's
 * address, so an IP literal or `localhost` is safe, and so is a name the user trusts
 * (`--allow-host`); any other name is refused. Any port is accepted, so an SSH tunnel
 * (`ssh -L 9000:127.0.0.1:8080`) still works.
 *
 * @example
 * ```ts
 * import { hostAnswered } from "./origin.ts";
 * hostAnswered("127.0.0.1", []); // true
 * hostAnswered("evil.example", []); // false
 * hostAnswered("wall.example", ["wall.example"]); // true
 * ```
 */
export function hostAnswered(hostname: string, allowed: readonly string[]): boolean {
  return ADDRESS_HOST.test(hostname) || allowed.includes(hostName(hostname));
}

/** A host name as compared: lower case, without the trailing dot of a fully qualified name. */
export function hostName(name: string): string {
  return name.toLowerCase().replace(/\.$/, "");
}

/**
 * Why a POST is refused as coming from another site, or undefined when it may go on.
 *
 * `Sec-Fetch-Site` is the browser's own word, sent by every current browser: `same-site` and
 * `cross-site` are refused; `same-origin` passes even when `Origin` differs from `Host`, which a
 * reverse proxy that rewrites `Host` makes happen. Without it (an older browser), an `Origin`
 * must name the host the request was sent to (`X-Forwarded-Host`, else `Host` or HTTP/2's
 * `:authority`). A request with neither header is no browser's: the CSRF token alone guards it.
 *
 * @example
 * ```ts
 * import { crossSiteRefusal } from "./origin.ts";
 * const request = new Request("http://127.0.0.1:8080/x", {
 *   method: "POST",
 *   headers: { origin: "http://evil.example" },
 * });
 * crossSiteRefusal(request); // "a POST from http://evil.example …"
 * ```
 */
export function crossSiteRefusal(request: Request): string | undefined {
  const site = request.headers.get("sec-fetch-site");
  if (site === "cross-site" || site === "same-site") {
    return `a ${site} POST: actions come only from the console's own pages`;
  }
  const origin = request.headers.get("origin");
  if (origin === null || site === "same-origin" || site === "none") return undefined;
  // The URL's host, as HTTP/2 sends no `Host` (its `:authority` is in the URL).
  const target = request.headers.get("x-forwarded-host") ?? new URL(request.url).host;
  if (originHost(origin) === withoutDefaultPort(target.toLowerCase())) return undefined;
  return `a POST from ${origin} to ${target}: actions come only from the console's own pages`;
}

/** `host[:port]` of an `Origin` value; undefined for `null` or anything else unparsable. */
function originHost(origin: string): string | undefined {
  try {
    return withoutDefaultPort(new URL(origin).host);
  } catch {
    return undefined;
  }
}

/** Browsers leave out :80 and :443 from `Host`; a proxy may not. */
function withoutDefaultPort(host: string): string {
  return host.replace(/:(?:80|443)$/, "");
}
