import { isIP } from 'node:net';

/** The reason a URL may not be visited, or null when it may. */
export type UrlRefusal = string | null;

/** One allowlist entry: a host name or address, with an optional port. */
interface AllowEntry {
  host: string;
  port: string | null;
}

function parseEntry(entry: string): AllowEntry {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(entry.trim().toLowerCase());
  return { host: match?.[1] ?? entry, port: match?.[2] ?? null };
}

/** Loopback, private, link-local, unique-local and unspecified addresses. */
export function isInternalAddress(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  const version = isIP(bare);
  if (version === 4) {
    const [a = 0, b = 0] = bare.split('.').map(Number);
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 100 && b >= 64 && b <= 127)
    );
  }
  if (version === 6) {
    if (bare === '::1' || bare === '::') return true;
    if (/^fe[89ab]/.test(bare) || /^f[cd]/.test(bare)) return true;
    const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare);
    return mapped?.[1] ? isInternalAddress(mapped[1]) : false;
  }
  return (
    bare === 'localhost' ||
    bare.endsWith('.localhost') ||
    bare.endsWith('.internal') ||
    bare.endsWith('.local')
  );
}

/**
 * The navigation allowlist. Only http and https URLs pass whose host is listed, with the port
 * where the entry names one. An internal address passes only when an entry names it exactly.
 */
export class UrlPolicy {
  private readonly entries: AllowEntry[];

  constructor(allowedHosts: string[], baseUrl: string) {
    const base = new URL(baseUrl);
    this.entries = [...allowedHosts, base.host].map(parseEntry);
  }

  check(rawUrl: string): UrlRefusal {
    let url: URL;
    try {
      url = new URL(rawUrl);
    } catch {
      return `${JSON.stringify(rawUrl.slice(0, 100))} is not an absolute URL`;
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      return `the ${url.protocol} scheme is not allowed; only http and https are`;
    }
    if (url.username || url.password) {
      return 'URLs with credentials are not allowed';
    }

    const host = url.hostname.toLowerCase();
    const port = url.port || (url.protocol === 'https:' ? '443' : '80');
    const listed = this.entries.some(
      (entry) => entry.host === host && (entry.port === null || entry.port === port),
    );
    if (!listed) {
      if (this.isHostListed(host)) {
        return `port ${port} of ${host} is not on the allowlist (ALLOWED_HOSTS names other ports of this host)`;
      }
      return isInternalAddress(host)
        ? `${host} is an internal address and is not on the allowlist`
        : `${url.host} is not on the allowlist (ALLOWED_HOSTS)`;
    }
    return null;
  }

  /** Tells whether an entry names this host on any port, as cookie domains carry no port. */
  isHostListed(host: string): boolean {
    const bare = host.toLowerCase().replace(/^\./, '');
    return this.entries.some((entry) => entry.host === bare);
  }

  isAllowed(rawUrl: string): boolean {
    return this.check(rawUrl) === null;
  }
}
