/**
 * Registry requests from a browser. Registries answer without the CORS headers a browser needs before it hands the
 * answer to a page or worker, so the browser withholds it and `fetch` rejects with a bare `TypeError`, exactly as for a
 * network failure. This wrapper marks that error, so that verification says why it cannot work there
 * (`BLOCKED_BY_BROWSER_MESSAGE`) rather than "could not talk to".
 */
import { FETCH_BLOCKED_BY_BROWSER } from './verify';

export function browserRegistryFetch(fetchImpl: typeof fetch = fetch): typeof fetch {
  return async (input, init) => {
    try {
      return await fetchImpl(input, init);
    } catch (error) {
      // A cancel or a timeout rejects with an AbortError/TimeoutError DOMException, never a TypeError.
      if (error instanceof TypeError)
        throw Object.assign(new Error('The browser withheld the answer (CORS) or the network failed.', { cause: error }), { code: FETCH_BLOCKED_BY_BROWSER });
      throw error;
    }
  };
}
